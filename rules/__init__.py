"""pullcoach.rules: the pure core. Events in, nudges, labels and metrics out.

Imports the standard library only: no asyncio, clocks, threads, logging set-up or I/O.
"""
