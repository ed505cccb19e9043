"""pullcoach.clients: the overlay (Tk) and the web pages. They speak only protocol v1."""
