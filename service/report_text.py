"""The report's words, in Dutch and English, and small formatting helpers.

``words(lang)`` gives the table for a session language (English for anything but Dutch).
The pull alternatives follow ``COACHING.md``: each nudge rule names the move that pulls.
"""

from __future__ import annotations

import functools
import math
import time

from pullcoach.rules.pack import PackError, load_pack

__all__ = ["words", "rule_title", "moment_title", "in_quotes", "nudge_seen", "nudge_words", "clock", "pct", "half_up", "per_question", "problem_text", "duration", "rating_text",
           "yardstick_text", "speaker_names", "roles", "count_text", "RULE_TITLES", "ALTERNATIVES",
           "LABEL_NAMES"]

_NL = {
    "title": "Gespreksverslag",
    "coachee": "Coachee", "partner": "Gesprekspartner",
    "duration": "Duur", "status_interrupted": "Onderbroken opname: het verslag loopt tot de laatste opgeslagen gebeurtenis",
    "status_live": "Dit gesprek loopt nog: het verslag loopt tot {t}",
    "unsure": "onzeker verstaan: de spraakherkenning twijfelde",
    "unsure_note": "(?) = onzeker verstaan: de spraakherkenning twijfelde aan deze woorden.",
    "status_error": "De opname brak op {t} af ({why}): het verslag loopt tot dan",
    "status_broke": "De opname brak op {t} af: het verslag loopt tot dan",
    "status_server_stopped": "De server werd op {t} gestopt en beëindigde dit gesprek: het verslag loopt tot dan",
    "status_trainer": "De trainer beëindigde dit gesprek op {t}: het verslag loopt tot dan",
    "narrowband": "De audio van {who} bevatte alleen geluid onder {band} kHz (opgenomen op {khz} kHz), zoals een telefoonlijn, een bluetooth-headset in belmodus of een sterk gecomprimeerde opname: de spraakherkenning hoort dan veel meer verkeerd, dus de cijfers over woorden zijn minder betrouwbaar.",
    "lang_name": {"nl": "Nederlands", "en": "Engels"}, "lang_adj": {"nl": "Nederlandse", "en": "Engelse"},
    "store_gap": "Van {t0} tot {t1} is niet alles bewaard ({n} gebeurtenissen): de schijf was vol. Cijfers en transcript over die tijd zijn onvolledig.",
    "language": "Het gesprek klonk {heard}, maar werd met de {lang} regels gecoacht: de labels en seintjes over woorden kloppen niet en zijn weggelaten. Start een volgend gesprek met --lang {code}.",
    "resumed": "De server is op {t} herstart; daarna is het gesprek verder gecoacht. Wat op dat moment werd gezegd, staat niet in het transcript.",
    "resumed_lost": "De server is op {t} herstart en {gap} audio daarna kwam nooit aan (die tijd telt als stilte); daarna is het gesprek verder gecoacht.",
    "rule_off": {"error": "Vanaf {t} stond de regel {rule} uit: de plugin faalde ({error}). Seintjes van die regel ontbreken vanaf dan; de andere regels gingen door.",
                 "bad-result": "Vanaf {t} stond de regel {rule} uit: de plugin gaf iets terug dat geen seintje is ({error}). Seintjes van die regel ontbreken vanaf dan.",
                 "foreign": "Vanaf {t} stond de regel {rule} uit: de plugin gaf seintjes onder de naam {other}. Seintjes van die regel ontbreken vanaf dan.",
                 "load": "De regel {rule} deed niet mee: de plugin laadde niet ({error})."},
    "figures": "Kerncijfers", "timeline": "Tijdlijn", "moments": "Momenten die ertoe doen",
    "route": "De pull-route", "transcript": "Transcript", "privacy": "Wat is opgeslagen",
    "glossary": "Woorden in dit verslag", "glossary_items": (
        ("Reflectie", "in eigen woorden teruggeven wat de ander zei of bedoelde; een samenvatting is een lange reflectie"),
        ("Open vraag", "een vraag waarop de ander meer kan zeggen dan ja of nee (‘Wat maakt het lastig voor je?’)"),
        ("Argumentstapel", "argument op argument zonder vraag ertussen: hoe meer je duwt, hoe harder de ander terugduwt"),
        ("Pushwoorden", "‘moeten’ en dergelijke: ze duwen, waar je wilt trekken"),
        ("Herstelreflex", "advies of informatie geven waar niet om gevraagd is; vraag eerst ‘Mag ik een tip geven?’"),
        ("Draaivraag", "de vraag die van verkennen naar oplossen draait (‘Wat zou het opleveren als…?’)"),
        ("MITI", "de maatstaf waarmee gesprekken volgens motiverende gespreksvoering gescoord worden")),
    "talk_share": "Spreektijd coachee", "talk_share_y": "doel {target} · goed ≤ {good} · redelijk ≤ {fair}",
    "reflections_questions": "Reflecties : vragen", "reflections_questions_y": "{fair} reflectie per vraag redelijk · {good} goed (MITI)",
    "rq_counts": "{r} : {q}", "rq_per": "{n} per vraag", "rq_no_question": "geen vraag gesteld",
    "reflections_questions_p": "Reflecties per vraag",
    "n_reflection": ("reflectie", "reflecties"), "n_question": ("vraag", "vragen"),
    "of": "{a} van {b}",
    "left_out": {"proposals": ("voorstel", "voorstellen"), "permissions": ("toestemmingsvraag", "toestemmingsvragen")},
    "left_out_note": "{what} niet meegeteld",
    "open_questions": "Open vragen", "open_questions_y": "{fair} open redelijk · {good} goed (MITI)", "half": "de helft",
    "summaries": "Samenvattingen", "summaries_small": "langste stuk zonder:\u00a0{gap}",
    "summaries_y": "goed: minstens elke {good} · redelijk: elke {fair} · een reflectie telt mee",
    "summaries_capped": "zonder samenvatting hooguit redelijk",
    "summaries_p": "Langste stuk zonder samenvatting",
    "interruptions": "Onderbrekingen door coachee", "interruptions_y": "door partner: {n}",
    "target": "doel {n}",
    "cut_in": "{n} keer ingebroken", "tried": "{n} keer geprobeerd, de ander praatte door",
    "not_counted": "niet meegeteld: {what}",
    "overlap_kinds": {"backchannel": ("luistersignaal (‘ja’, ‘hm’)", "luistersignalen (‘ja’, ‘hm’)"),
                      "smooth": ("vloeiende beurtwissel", "vloeiende beurtwissels")},
    "argument_stacks": "Argumentstapels", "argument_stacks_y": "een stapel: {stack} argumenten op rij, zonder vraag ertussen",
    "push_words": "Pushwoorden (moeten)",
    "righting_reflexes": "Herstelreflex", "righting_reflexes_y": "advies of informatie zonder toestemming",
    "rr_by": {"advice": ("advies", "adviezen"), "input": ("informatie", "informatie")},
    "rr_moment": {"advice": "advies zonder toestemming", "input": "informatie zonder toestemming"},
    "monologues": "Monologen", "monologues_small": "langste beurt\u00a0{turn}",
    "monologues_y": "beurt goed tot {good} · redelijk tot {fair}", "monologues_good": "beurt goed tot {good}", "monologue_from": "daarna een monoloog", "monologue_at": "monoloog: vanaf {n}",
    "monologues_p": "Langste beurt",
    "speaking_rate": "Spreektempo", "speaking_rate_y": "partner {wpm} · goed ≤ {good} · te snel: > {fast} en {faster} sneller dan de partner",
    "minutes": "{n} min", "seconds": "{n} s",
    "wpm": "woorden/min", "none": "—",
    "status": {"good": "✓ goed", "fair": "≈ redelijk", "poor": "✗ onder de maat", "none": ""},
    # why a figure has no rating at all: the wrong rules' (report_data.WORD_FIGURES)
    "unrated": {"language": "niet beoordeeld: de woorden waren in de andere taal",
                "short": "te kort om te beoordelen",
                "no_sound_coachee": "niet beoordeeld: van de coachee kwam geen geluid",
                "no_sound_partner": "niet beoordeeld: van de gesprekspartner kwam geen geluid"},
    "swipe": "→ veeg voor de rest van de tijdlijn",
    "row_nudges": "Seintjes", "row_marks": "Samenvattingen", "legend_speech": "spraak", "legend_overlap": "ingebroken (door elkaar)",
    "legend_overlap_light": "tegelijk gepraat, geen onderbreking (‘ja’, ‘hm’)",
    "legend_summary_end": "samenvatting, waar ze eindigde",
    "legend_no_audio": "geen audio: ontbreekt, geen stilte",
    "no_audio_capture-resumed": "{span} geen audio: de opname was gestopt",
    "no_audio_channel-stalled": "{span} geen audio van {who}: het apparaat leverde niets",
    "no_audio_channel-silent": "{span} geen enkel geluid van {who}: niet opgenomen of gedempt",
    "no_audio_store-rescued": "{span} ontbreekt: bij het herstel van het sessiebestand verloren",
    # the timeline for a screen reader: its head, then each count in its singular or plural
    "timeline_aria": {"head": "{title} van {duration}", "counts": {
        "negative": ("{n} seintje over wat beter kan", "{n} seintjes over wat beter kan"),
        "positive": ("{n} goede zet", "{n} goede zetten"), "cue": ("{n} signaal van de ander", "{n} signalen van de ander"),
        "summaries": ("{n} samenvatting", "{n} samenvattingen"), "cut": ("{n} keer ingebroken", "{n} keer ingebroken"),
        "light": ("{n} keer tegelijk gepraat zonder onderbreking", "{n} keer tegelijk gepraat zonder onderbreking"),
        "bookmarks": ("{n} bladwijzer", "{n} bladwijzers")}}, "legend_nudge": "seintje, toen het kwam",
    "legend_positive": "goede zet", "legend_cue": "signaal van de ander", "legend_summary": "samenvatting", "legend_bookmark": "bladwijzer",
    "no_moments": "Geen seintjes in dit gesprek.",
    "alternative": "Pull-alternatief", "not_delivered": "alleen voor het verslag",
    "legend_not_seen": "niet in beeld: alleen voor het verslag, of geen overlay open",
    "unseen": "niet gezien: geen overlay open",
    "focus_next": "Oefen volgende keer", "focus_better": "Het meest vooruit sinds vorige keer",
    "focus_short": ("Te kort om te beoordelen", "dit gesprek duurde {t}; de cijfers krijgen een oordeel vanaf {min}."),
    "focus_well": "Ging goed",
    "well": {"route": "de hele pull-route (verkennen → draaivraag → voorstel)", "open_questions": "{v} open vragen",
             "summaries": ("{v} samenvatting", "{v} samenvattingen"), "reflections_questions": "{v} reflecties per vraag",
             "reflections_no_question": ("{v} reflectie (geen vraag nodig)", "{v} reflecties (geen vraag nodig)"),
             "talk_share": "je liet de ander praten (spreektijd {v})", "interruptions": "niemand onderbroken",
             "push_words": "geen pushwoorden", "argument_stacks": "geen argumentstapels",
             "righting_reflexes": "geen ongevraagd advies"},
    "focus_said": "Om {t} zei je:", "focus_latest": "Het laatst, om {t}, zei je:",
    "spot_turn": "Om {t} sloot {who} een beurt van {s} af:",
    "spot_own_turn": "Je langste beurt duurde {s}; om {t} zei je:",
    "spot_short_own": "Geen lange beurten (de langste {s}): het zit in hoe vaak je het woord nam.",
    "spot_own_summary": "Je langste beurt duurde {s} en was een samenvatting: houd die kort. Om {t} zei je:",
    "spot_fast": "Om {t} sprak je het snelst ({wpm} woorden per minuut):",
    "spot_short": "Waar je niet reflecteerde, sprak {who} steeds korter dan {s}: reflecteer ook op een kort antwoord, vóór je volgende vraag.",
    "focus_example": "Om {t} bijvoorbeeld zei je:",
    "focus_said_cut": "Om {t} onderbrak je {who}:", "focus_latest_cut": "Het laatst onderbrak je {who} om {t}:",
    "focus_halves": "Eerste → tweede helft: {what} ({word}).",
    "focus_kept": "Eerste → tweede helft: {what} ({word}): houd dat vast.",
    "focus_still": {"poor": "nog onder de maat", "fair": "nog maar redelijk"},
    "tx_index": "Naar minuut:", "tx_index_hint": "▼3: drie momenten in die minuut, elk met een ▼ bij de regel waar het om ging; elk deel hieronder is in en uit te klappen.",
    "tx_lines": ("regel", "regels"), "tx_moments": ("moment", "momenten"),
    "fired": "seintje om {t}", "moments_hint": "De tijd bij een moment is wanneer het gezegd werd; het seintje («…», zoals je het in beeld zag) kwam soms later (▼ op de tijdlijn).",
    "quoted": "«{m}»",
    "moments_more": "{title}, {total} keer in totaal · {shown} hierboven · de andere {n}:",
    "moments_card": "(de kaart telt {n}: ook zonder seintje)", "moments_card_less": "(de kaart telt {n})",
    "moments_link": "Klik op de tijd voor die plek in het transcript; ▼ daar brengt je terug.",
    "too_late": "alleen voor het verslag: de transcriptie liep {s} s achter",
    "held_focus": "alleen voor het verslag: buiten de focus",
    "held_repeat": "alleen voor het verslag: herhaling, kort na het vorige seintje hierover",
    "held_budget": "alleen voor het verslag: er was net een ander seintje getoond",
    "held_trainer": "alleen voor het verslag: het seintje van de trainer was net gestuurd",
    "held_language": "alleen voor het verslag: de woorden waren in de andere taal",
    "trainer_focus": "Focus live", "focus_all": "alle seintjes", "focus_from": "vanaf {t}",
    "explore": "Verkennen", "draaivraag": "Draaivraag", "voorstel": "Voorstel",
    "route_moves": "{n}×", "premature": "te vroeg: nog niet samengevat",
    "no_route": "Geen open vragen, samenvattingen, draaivraag of voorstel herkend.",
    "route_hint": "verkennen (open vragen, samenvatten) → draaivraag → voorstel zonder argument",
    "stored_events": "Alleen gebeurtenissen (tijden, transcript, labels, seintjes); geen audio.",
    "stored_audio": "Gebeurtenissen en de audio per kanaal (FLAC) naast de database.",
    "stored_local": "Niets heeft deze computer verlaten.",
    "stored_capture": "De audio ging van de laptop van het paar naar de pullcoach-server van de trainer en werd daar getranscribeerd; verder ging niets.",
    "stored_remote": "Er was een externe dienst ingesteld: {remote}.",
    "bookmark": "Bladwijzer", "warnings": "Meldingen van de pijplijn",
    "problem_no-sound": "{span} kwam er geen enkel geluid van {who} (gedempt of verkeerd apparaat?): de cijfers over die tijd zeggen weinig.",
    "problem_no-speech": "{span} kwam er geen spraak van {who} (verkeerd apparaat?): de cijfers over die tijd zeggen weinig.",
    "problem_channel-stalled": "{span} kwam er geen audio van {who} binnen (apparaat weg of gestopt).",
    "problem_channel-stalled file-broken": "{span} ontbreekt de audio van {who}: het bestand{in_file} brak daar af (beschadigd of afgekapt). De rest van die kant telt als stilte; de cijfers over die tijd zeggen weinig.",
    "problem_channel-stalled file-broken-end": "{span} ontbreekt de rest: het bestand van {who}{in_file} brak daar af (beschadigd of afgekapt) en de opname stopte; het verslag loopt tot dan.",
    "problem_channel-stalled file-broken-both": "{span} ontbreekt de rest: de opname{in_file} brak daar af (beschadigd of afgekapt); beide kanten stopten, want ze staan in één stereobestand. Het verslag loopt tot dan.",
    # the same break where it ended the session (a local replay): the report's one status line
    "problem_channel-stalled file-broken-both ended": "De opname brak op {t0} af: {file} is beschadigd of afgekapt. Beide kanten stopten daar, want ze staan in één stereobestand; het verslag loopt tot dan.",
    "problem_channel-stalled file-broken-end ended": "De opname brak op {t0} af: het bestand van {who}{in_file} is beschadigd of afgekapt. Het verslag loopt tot dan.",
    "a_file": "het bestand",
    "problem_no-sound file": "{span} kwam er geen enkel geluid van {who} (was die kant wel opgenomen?): de cijfers over die tijd zeggen weinig.",
    "problem_no-speech file": "{span} kwam er geen spraak van {who} (staat die kant op het goede kanaal?): de cijfers over die tijd zeggen weinig.",
    "problem_no-speech nobody": "{span} kwam er op geen van beide kanalen spraak (verkeerde apparaten?): de cijfers over die tijd zeggen weinig.",
    "problem_no-speech nobody file": "{span} stond er aan geen van beide kanten van de opname spraak (is het wel een opname van het gesprek?): de cijfers over die tijd zeggen weinig.",
    "problem_channel-clipped": "{span} was het geluid van {who} overstuurd (de spraak raakte steeds de maximale sterkte): de transcriptie en de seintjes zijn daar minder betrouwbaar; zet het opnameniveau van dat apparaat voortaan lager.",
    "problem_channel-clipped file": "{span} was het geluid van {who} in de opname zelf overstuurd (te hoog opnameniveau): de transcriptie en de seintjes zijn daar minder betrouwbaar; neem voortaan op met een lager niveau.",
    "problem_channels-same": "{span} hoorden beide kanalen hetzelfde geluid (één microfoon dubbel, of luidsprekers te hard): wie wat zei, is daar niet te scheiden.",
    "problem_channels-same file": "{span} droegen beide kanalen van de opname hetzelfde geluid (een mono-opname als stereo opgeslagen?): wie wat zei, is daar niet te scheiden; geef de opnames van de coachee en de gesprekspartner als twee bestanden.",
    "problem_channels-same files": "{span} droegen de twee opnames hetzelfde geluid (één opname twee keer gegeven?): wie wat zei, is daar niet te scheiden; geef de eigen opnames van de coachee en de gesprekspartner.",
    "problem_channels-same one-input": "{span} hoorden beide kanalen hetzelfde geluid: één ingang werd dubbel opgenomen (kies voortaan voor één spreker een ander apparaat): wie wat zei, is daar niet te scheiden.",
    "problem_channels-same acoustic": "{span} hoorden beide kanalen hetzelfde geluid: de luidsprekers stonden zo hard dat de microfoon het gesprek even luid hoorde (draag voortaan een headset): wie wat zei, is daar niet te scheiden.",
    "problem_asr-behind": "{span} liep de transcriptie achter: seintjes op tekst kwamen later.",
    "problem_capture-resumed": "{span} ontbreekt de audio ({gap}): de opname (pullcoach capture) stopte en werd opnieuw gestart. Die tijd telt als stilte.",
    "problem_store-rescued": "{span} ontbreekt een stuk van het gesprek ({n}): het sessiebestand was beschadigd en dat stuk was bij het herstel (pullcoach sessions rescue) niet meer te lezen. Wat er toen gezegd en gesignaleerd is, ontbreekt in de cijfers en het transcript.",
    "problem_store-rescued rest": "{span} ontbreekt de rest van het gesprek: het sessiebestand was beschadigd en dat stuk was bij het herstel (pullcoach sessions rescue) niet meer te lezen. De cijfers en het transcript houden daar op.",
    "span": "Van {t0} tot {t1}", "span_end": "Vanaf {t0}", "span_at": "Om {t0}", "n_event": ("gebeurtenis", "gebeurtenissen"),
    "who_coachee": "de coachee", "who_partner": "de gesprekspartner",
    "decimal": ",",
    "not_analysed": "De regels hebben dit gesprek niet beoordeeld (geen labels of seintjes), dus de cijfers over woorden ontbreken.",
    "session": "Sessie", "generated": "Gemaakt door pullcoach uit het gebeurtenissenlog.",
}

_EN = {
    "title": "Conversation report",
    "coachee": "Coachee", "partner": "Partner",
    "duration": "Duration", "status_interrupted": "Interrupted recording: the report runs to the last stored event",
    "status_live": "This conversation is still going on: the report runs to {t}",
    "unsure": "heard with doubt: speech recognition was unsure",
    "unsure_note": "(?) = heard with doubt: speech recognition was unsure of these words.",
    "status_error": "The recording broke off at {t} ({why}): the report runs to then",
    "status_broke": "The recording broke off at {t}: the report runs to then",
    "status_server_stopped": "The server was stopped at {t} and ended this conversation: the report runs to then",
    "status_trainer": "The trainer ended this conversation at {t}: the report runs to then",
    "narrowband": "{who}'s audio carried only sound below {band} kHz (recorded at {khz} kHz), as a phone line, a Bluetooth headset in call mode or a heavily compressed recording does: speech recognition mishears much more then, so the figures about words are less reliable.",
    "lang_name": {"nl": "Dutch", "en": "English"}, "lang_adj": {"nl": "Dutch", "en": "English"},
    "store_gap": "From {t0} to {t1} not everything was stored ({n} events): the disk was full. Figures and transcript for that time are incomplete.",
    "language": "The conversation sounded {heard}, but was coached with the {lang} rules: the labels and nudges about words are wrong and left out. Start the next one with --lang {code}.",
    "resumed": "The server restarted at {t}; coaching went on after that. What was being said at that moment is not in the transcript.",
    "resumed_lost": "The server restarted at {t} and {gap} of audio after that never arrived (that time counts as silence); coaching went on after that.",
    "rule_off": {"error": "From {t} the rule {rule} was off: its plugin failed ({error}). That rule's nudges are missing from then on; the other rules went on.",
                 "bad-result": "From {t} the rule {rule} was off: its plugin returned something that is no nudge ({error}). That rule's nudges are missing from then on.",
                 "foreign": "From {t} the rule {rule} was off: its plugin nudged under the name {other}. That rule's nudges are missing from then on.",
                 "load": "The rule {rule} did not run: its plugin did not load ({error})."},
    "figures": "Headline figures", "timeline": "Timeline", "moments": "Moments that matter",
    "route": "The pull route", "transcript": "Transcript", "privacy": "What was stored",
    "glossary": "Terms used in this report", "glossary_items": (
        ("Reflection", "saying back in your own words what the other person said or meant; a summary is a longer reflection that pulls several things together"),
        ("Open question", "a question the other person can answer with more than yes or no (‘What makes it hard for you?’)"),
        ("Argument stack", "argument after argument with no question in between: the harder you push, the harder they push back"),
        ("Push words", "‘have to’, ‘should’, ‘must’, ‘need to’ and the like: they push where you want to pull"),
        ("Righting reflex", "giving advice or information nobody asked for; ask first: ‘Can I make a suggestion?’"),
        ("Turning question", "the question that moves the conversation from exploring to planning (‘What would be different for you if…?’)"),
        ("MITI", "the Motivational Interviewing Treatment Integrity code, the standard for scoring MI conversations")),
    "talk_share": "Coachee talk share", "talk_share_y": "target {target} · good ≤ {good} · fair ≤ {fair}",
    "reflections_questions": "Reflections : questions", "reflections_questions_y": "{fair} reflection per question fair · {good} good (MITI)",
    "rq_counts": "{r} : {q}", "rq_per": "{n} per question", "rq_no_question": "no question asked",
    "reflections_questions_p": "Reflections per question",
    "n_reflection": ("reflection", "reflections"), "of": "{a} of {b}",
    "left_out": {"proposals": ("proposal", "proposals"), "permissions": ("permission question", "permission questions")},
    "left_out_note": "{what} not counted",
    "n_question": ("question", "questions"),
    "open_questions": "Open questions", "open_questions_y": "{fair} open fair · {good} good (MITI)", "half": "half",
    "summaries": "Good reflections", "summaries_small": "longest stretch without reflecting:\u00a0{gap}",
    "summaries_y": "good: a reflection at least every {good} · fair: every {fair} · summaries count too",
    "summaries_capped": "without a good reflection fair at best",
    "summaries_p": "Longest stretch without reflecting",
    "interruptions": "Interruptions by coachee", "interruptions_y": "by partner: {n}",
    "target": "target {n}",
    "cut_in": "cut in {n}×", "tried": "tried {n}×, they kept talking",
    "not_counted": "not counted: {what}",
    "overlap_kinds": {"backchannel": ("backchannel (‘yes’, ‘hm’)", "backchannels (‘yes’, ‘hm’)"),
                      "smooth": ("smooth handover", "smooth handovers")},
    "argument_stacks": "Argument stacks", "argument_stacks_y": "a stack: {stack} arguments in a row, no question in between",
    "push_words": "Push words (have to, should)",
    "righting_reflexes": "Righting reflex", "righting_reflexes_y": "advice or information without permission",
    "rr_by": {"advice": ("piece of advice", "pieces of advice"), "input": ("piece of information", "pieces of information")},
    "rr_moment": {"advice": "advice without permission", "input": "information without permission"},
    "monologues": "Monologues", "monologues_small": "longest turn\u00a0{turn}",
    "monologues_y": "a turn good up to {good} · fair up to {fair}", "monologues_good": "a turn good up to {good}", "monologue_from": "a monologue after that", "monologue_at": "monologue: from {n}",
    "monologues_p": "Longest turn",
    "speaking_rate": "Speaking rate", "speaking_rate_y": "partner {wpm} · good ≤ {good} · too fast: > {fast} and {faster} faster than the partner",
    "minutes": "{n} min", "seconds": "{n} s",
    "wpm": "wpm", "none": "—",
    "status": {"good": "✓ good", "fair": "≈ fair", "poor": "✗ below par", "none": ""},
    "unrated": {"language": "not rated: the words were in the other language",
                "short": "too short to rate",
                "no_sound_coachee": "not rated: no sound came from the coachee",
                "no_sound_partner": "not rated: no sound came from the partner"},
    "swipe": "→ swipe for the rest of the timeline",
    "row_nudges": "Nudges", "row_marks": "Reflections", "legend_speech": "speech", "legend_overlap": "cut in (talking over)",
    "legend_overlap_light": "talking at once, no interruption (‘yes’, ‘hm’)",
    "legend_summary_end": "good reflection, where it ended",
    "legend_no_audio": "no audio: missing, not silence",
    "no_audio_capture-resumed": "{span} no audio: the capture had stopped",
    "no_audio_channel-stalled": "{span} no audio from {who}: the device sent none",
    "no_audio_channel-silent": "{span} no sound at all from {who}: not recorded, or muted",
    "no_audio_store-rescued": "{span} missing: lost when the session file was rescued",
    "timeline_aria": {"head": "{title} of {duration}", "counts": {
        "negative": ("{n} nudge about what could be better", "{n} nudges about what could be better"),
        "positive": ("{n} good move", "{n} good moves"), "cue": ("{n} cue from the partner", "{n} cues from the partner"),
        "summaries": ("{n} good reflection", "{n} good reflections"), "cut": ("{n} cut-in", "{n} cut-ins"),
        "light": ("{n} time talking at once without interrupting", "{n} times talking at once without interrupting"),
        "bookmarks": ("{n} bookmark", "{n} bookmarks")}}, "legend_nudge": "nudge, when it came",
    "legend_positive": "good move", "legend_cue": "partner's cue", "legend_summary": "good reflection", "legend_bookmark": "bookmark",
    "no_moments": "No nudges in this conversation.",
    "alternative": "Pull alternative", "not_delivered": "report only",
    "legend_not_seen": "not on screen: report only, or no overlay open",
    "unseen": "not seen: no overlay open",
    "focus_next": "Practise next time", "focus_better": "Most improved since last time",
    "focus_short": ("Too short to rate", "this conversation lasted {t}; figures are rated from {min} on."),
    "focus_well": "Went well",
    "well": {"route": "the whole pull route (explore → turning question → proposal)", "open_questions": "{v} open questions",
             "summaries": ("{v} good reflection", "{v} good reflections"), "reflections_questions": "{v} reflections per question",
             "reflections_no_question": ("{v} reflection (no question needed)", "{v} reflections (no question needed)"),
             "talk_share": "you let them do the talking (talk share {v})", "interruptions": "you let them finish",
             "push_words": "no push words", "argument_stacks": "no argument stacks",
             "righting_reflexes": "no unasked advice"},
    "focus_said": "At {t} you said:", "focus_latest": "Most recently, at {t}, you said:",
    "spot_turn": "At {t} {who} finished speaking after {s}:",
    "spot_own_turn": "Your longest turn lasted {s}; at {t} you said:",
    "spot_short_own": "No long turns (the longest {s}): it was how often you spoke, not for how long.",
    "spot_own_summary": "Your longest turn lasted {s} and was a summary: keep it short. At {t} you said:",
    "spot_fast": "At {t} you spoke fastest ({wpm} words a minute):",
    "spot_short": "Where you did not reflect, {who} spoke for less than {s} each time: reflect on a short answer too, before your next question.",
    "focus_example": "At {t}, for example, you said:",
    "focus_said_cut": "At {t} you cut {who} off:", "focus_latest_cut": "Most recently, at {t}, you cut {who} off:",
    "focus_halves": "First → second half: {what} ({word}).",
    "focus_kept": "First → second half: {what} ({word}): keep that up.",
    "focus_still": {"poor": "still below par", "fair": "only fair so far"},
    "tx_index": "Jump to minute:", "tx_index_hint": "▼3: three moments in that minute, each with a ▼ by the line it was about; click a part below to open or close it.",
    "tx_lines": ("line", "lines"), "tx_moments": ("moment", "moments"),
    "fired": "nudge at {t}", "moments_hint": "Each moment is timed when it was said; its nudge (in quotes, as it appeared on screen) sometimes came later (▼ on the timeline).",
    "quoted": "“{m}”",
    "moments_more": "{title}, {total} times in all · {shown} above · the other {n}:",
    "moments_card": "(the card counts {n}, including those without a nudge)", "moments_card_less": "(the card counts {n})",
    "moments_link": "Click the time for that place in the transcript; ▼ there brings you back.",
    "too_late": "report only: transcription was {s} s behind",
    "held_focus": "report only: outside the focus",
    "held_repeat": "report only: a repeat, soon after the last nudge about it",
    "held_budget": "report only: another nudge had just been shown",
    "held_trainer": "report only: the trainer's nudge had just been sent",
    "held_language": "report only: the words were in the other language",
    "trainer_focus": "Live focus", "focus_all": "every nudge", "focus_from": "from {t}",
    "explore": "Explore", "draaivraag": "Turning question", "voorstel": "Proposal",
    "route_moves": "{n}×", "premature": "too early: no reflection yet",
    "no_route": "No open questions, reflections, turning question or proposal recognised.",
    "route_hint": "explore (open questions, reflections) → turning question (‘What could the upside of … be for you?’) → proposal without argument",
    "stored_events": "Events only (times, transcript, labels, nudges); no audio.",
    "stored_audio": "Events, and the audio per channel (FLAC) beside the database.",
    "stored_local": "Nothing left this machine.",
    "stored_capture": "The audio went from the pair's laptop to the trainer's pullcoach server and was transcribed there; nothing went further.",
    "stored_remote": "A remote service was configured: {remote}.",
    "bookmark": "Bookmark", "warnings": "Pipeline notices",
    "problem_no-sound": "{span} no sound at all came from {who} (muted, or the wrong device?): the figures for that time say little.",
    "problem_no-speech": "{span} no speech came from {who} (the wrong device?): the figures for that time say little.",
    "problem_channel-stalled": "{span} no audio arrived from {who} (device gone or stopped).",
    "problem_channel-stalled file-broken": "{span} the audio of {who} is missing: the file{in_file} broke off there (damaged or cut short). The rest of that side counts as silence; the figures for that time say little.",
    "problem_channel-stalled file-broken-end": "{span} the rest is missing: {who}'s file{in_file} broke off there (damaged or cut short) and the recording stopped; the report runs to then.",
    "problem_channel-stalled file-broken-both": "{span} the rest is missing: the recording{in_file} broke off there (damaged or cut short); both sides stopped, as they are in one stereo file. The report runs to then.",
    "problem_channel-stalled file-broken-both ended": "The recording broke off at {t0}: {file} is damaged or cut short. Both sides stopped there, as they are in one stereo file; the report runs to then.",
    "problem_channel-stalled file-broken-end ended": "The recording broke off at {t0}: {who}'s file{in_file} is damaged or cut short. The report runs to then.",
    "a_file": "the file",
    "problem_no-sound file": "{span} no sound at all came from {who} (was that side recorded?): the figures for that time say little.",
    "problem_no-speech file": "{span} no speech came from {who} (is that side on the right channel?): the figures for that time say little.",
    "problem_no-speech nobody": "{span} no speech came on either channel (the wrong devices?): the figures for that time say little.",
    "problem_no-speech nobody file": "{span} there was no speech on either side of the recording (is it a recording of the conversation?): the figures for that time say little.",
    "problem_channel-clipped": "{span} {who}'s sound was clipped (the speech kept hitting full scale): the transcripts and the nudges there are less reliable; next time turn that device's input level down.",
    "problem_channel-clipped file": "{span} {who}'s sound was clipped in the recording itself (recorded too loud): the transcripts and the nudges there are less reliable; next time record at a lower input level.",
    "problem_channels-same": "{span} both channels carried the same sound (one mic twice, or speakers too loud): who said what cannot be told apart there.",
    "problem_channels-same file": "{span} both channels of the recording carried the same sound (a mono recording saved as stereo?): who said what cannot be told apart there; give the coachee's and the partner's recordings as two files.",
    "problem_channels-same files": "{span} the two recordings carried the same sound (one recording given twice?): who said what cannot be told apart there; give the coachee's and the partner's own recordings.",
    "problem_channels-same one-input": "{span} both channels carried the same sound: one input was recorded twice (next time pick another device for one speaker): who said what cannot be told apart there.",
    "problem_channels-same acoustic": "{span} both channels carried the same sound: the speakers were so loud that the mic picked up the other side as loudly as you (next time wear a headset): who said what cannot be told apart there.",
    "problem_asr-behind": "{span} transcription ran behind: nudges on words came later.",
    "problem_capture-resumed": "{span} the audio is missing ({gap}): the capture (pullcoach capture) stopped and was started again. That time counts as silence.",
    "problem_store-rescued": "{span} part of the conversation is missing ({n}): the session file was damaged and that part could no longer be read when it was rescued (pullcoach sessions rescue). What was said and nudged then is missing from the figures and the transcript.",
    "problem_store-rescued rest": "{span} the rest of the conversation is missing: the session file was damaged and that part could no longer be read when it was rescued (pullcoach sessions rescue). The figures and the transcript stop there.",
    "span": "From {t0} to {t1}", "span_end": "From {t0} on", "span_at": "At {t0}", "n_event": ("event", "events"),
    "who_coachee": "the coachee", "who_partner": "the partner",
    "decimal": ".",
    "not_analysed": "The rules did not judge this conversation (no labels or nudges), so the figures about words are missing.",
    "session": "Session", "generated": "Made by pullcoach from the event log.",
}

RULE_TITLES = {
    "nl": {
        "interruption": "Onderbreking", "interrupted": "Weerstand van de partner",
        "argument-stacking": "Argumentstapel", "too-few-summaries": "Te weinig samengevat",
        "talk-ratio": "Veel aan het woord", "monologue": "Monoloog",
        "closed-questions": "Gesloten vragen", "push-words": "Pushwoord",
        "righting-reflex": "Herstelreflex", "proposal-with-argument": "Voorstel met argument",
        "speaking-rate": "Spreektempo", "good-summary": "Goede samenvatting",
        "open-question-after-resistance": "Nieuwsgierig bij weerstand",
        "draaivraag": "Draaivraag", "trainer": "Trainer",
    },
    "en": {
        "interruption": "Interruption", "interrupted": "Resistance from the partner",
        "argument-stacking": "Argument stack", "too-few-summaries": "Too long without reflecting",
        "talk-ratio": "Talking a lot", "monologue": "Monologue",
        "closed-questions": "Closed questions", "push-words": "Push word",
        "righting-reflex": "Righting reflex", "proposal-with-argument": "Proposal with argument",
        "speaking-rate": "Speaking rate", "good-summary": "Good reflection",
        "open-question-after-resistance": "Rolling with resistance",
        "draaivraag": "Turning question", "trainer": "Trainer",
    },
}

ALTERNATIVES = {
    "nl": {
        "interruption": "Laat uitpraten; vat daarna samen.",
        "interrupted": "Weerstand: vraag door en vat samen wat je hoort.",
        "argument-stacking": "Stel een open vraag in plaats van nog een argument.",
        "too-few-summaries": "Vat samen: ‘Als ik je goed begrijp…’",
        "talk-ratio": "Luister: stel een open vraag en laat de stilte vallen.",
        "monologue": "Stop en vraag: ‘Hoe kijk jij daarnaar?’",
        "closed-questions": "Maak er een open vraag van: ‘Wat…?’, ‘Hoe…?’",
        "push-words": "Laat ‘moeten’ weg; geef informatie vrijblijvend.",
        "righting-reflex": "Vraag eerst: ‘Mag ik een tip geven?’",
        "proposal-with-argument": "Doe het voorstel zonder ‘want’: ‘Is het een idee dat…?’",
        "speaking-rate": "Rustig: laat een pauze vallen voor je antwoordt.",
        "good-summary": "Goed: zo blijft de ander aan het woord.",
        "open-question-after-resistance": "Goed: nieuwsgierig bij weerstand.",
        "draaivraag": "Goed: de ander noemt zelf de voordelen.",
        "trainer": "Tip van de trainer.",
    },
    "en": {
        "interruption": "Let them finish; then summarise.",
        "interrupted": "Ask about it and reflect what you hear.",
        "argument-stacking": "Ask an open question instead of another argument.",
        "too-few-summaries": "Reflect or summarise: ‘So what I'm hearing is…’",
        "talk-ratio": "Listen: ask an open question and allow the silence.",
        "monologue": "Stop and ask: ‘How do you see it?’",
        "closed-questions": "Make it open: ‘What…?’, ‘How…?’",
        "push-words": "Drop ‘have to’ and ‘should’; offer information and leave the choice to them.",
        "righting-reflex": "Ask first: ‘Can I make a suggestion?’",
        "proposal-with-argument": "Propose without ‘because’: ‘How about…?’",
        "speaking-rate": "Slow down: pause before you answer.",
        "good-summary": "Good: it keeps them talking.",
        "open-question-after-resistance": "Good: you explored it instead of pushing back.",
        "draaivraag": "Good: they name the benefits themselves.",
        "trainer": "The trainer's note.",
    },
}

LABEL_NAMES = {
    "nl": {"open": "open vraag", "closed": "gesloten vraag", "reflection": "reflectie",
           "input": "informatie", "advice": "advies",
           "push": "moeten", "arguments": "argumenten", "backchannel": "luistersignaal",
           "permission": "toestemming", "proposal": "voorstel", "draaivraag": "draaivraag"},
    "en": {"open": "open question", "closed": "closed question", "reflection": "reflection",
           "input": "information", "advice": "advice",
           "push": "push word", "arguments": "arguments", "backchannel": "backchannel",
           "permission": "permission", "proposal": "proposal", "draaivraag": "turning question"},
}


def count_text(n: int, forms: tuple[str, str]) -> str:
    """"1 vraag", "2 vragen"."""
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def warning_banners(report: dict, w: dict, names: dict) -> list[str]:
    """Banners for warnings that qualify the whole report: a restart, narrowband audio, events
    the store could not keep (a full disk), the other language than the session's, a rule
    plugin switched off (from when)."""
    out = []
    for n in report["warnings"]:
        if n["kind"] == "session-resumed":  # killed with its capture: how much audio is missing
            lost = float((n.get("detail") or {}).get("resumed_at", n["t"])) - n["t"]
            out.append(w["resumed_lost"].format(t=clock(n["t"]), gap=duration(int(lost), w)) if lost >= 1
                       else w["resumed"].format(t=clock(n["t"])))
        elif n["kind"] == "narrowband":
            sp = (n.get("detail") or {}).get("speaker", "partner")
            rate = float((n.get("detail") or {}).get("rate") or 8000)
            band = float((n.get("detail") or {}).get("band") or rate / 2)
            out.append(w["narrowband"].format(who=names.get(sp, sp), khz=number(rate / 1000, w),
                                              band=number(float(f"{band / 1000:.3g}"), w)))
        elif n["kind"] == "store-gap":
            d = n.get("detail") or {}
            out.append(w["store_gap"].format(t0=clock(d.get("t0", n["t"])), t1=clock(d.get("t1", n["t"])),
                                             n=d.get("events", "?")))
        elif n["kind"] == "rule-off":  # a rule plugin switched off for the rest of the session
            d = n.get("detail") or {}
            text = w["rule_off"].get(d.get("reason"), w["rule_off"]["error"])
            out.append(text.format(t=clock(n["t"]), rule=f"“{d.get('rule', '?')}”",
                                   other=f"“{d.get('as', '?')}”", error=d.get("error", "?")))
        elif n["kind"] == "language":  # said in both languages: the speaker may read only the other
            d = n.get("detail") or {}
            heard, lang = d.get("heard", "?"), d.get("lang", "?")
            out.append(" / ".join(t["language"].format(heard=t["lang_name"].get(heard, heard),
                                                       lang=t["lang_adj"].get(lang, lang), code=heard)
                                  for t in (w, _EN if w is _NL else _NL)))
    return out


def status_text(s: dict, w: dict) -> str | None:
    """The banner for a report that does not run to a normal end, or None."""
    if s["status"] == "live":
        return w["status_live"].format(t=clock(s["duration"]))
    if s["status"] == "interrupted":
        return w["status_interrupted"]
    if s.get("reason") == "server-stopped":
        return w["status_server_stopped"].format(t=clock(s["duration"]))
    if s.get("reason") == "trainer":  # ended early (or at the end): the pair knows why it stops
        return w["status_trainer"].format(t=clock(s["duration"]))
    if s.get("reason") == "error":  # a replayed file that broke off: its problem line says why,
        if s.get("broke"):            # and that the report runs to then (said once)
            return None
        if not s.get("error"):        # in the report's language (no audio-error's English text)
            return w["status_broke"].format(t=clock(s["duration"]))
        return w["status_error"].format(t=clock(s["duration"]), why=s["error"])
    return None


def rule_title(n: dict, lang: str, *, detail: bool = True) -> str:
    """A nudge's title; the righting reflex's says what was told unasked, as its rule's detail
    does ("Herstelreflex: informatie zonder toestemming")."""
    lang = lang_of(lang)
    # a plugin's rule has no title here: its nudge says what it is about ("Eigenlijk?")
    title = RULE_TITLES[lang].get(n["rule"]) or n.get("message") or n["rule"]
    by = (n.get("detail") or {}).get("by")
    if detail and n["rule"] == "righting-reflex" and by in words(lang)["rr_moment"]:
        return f"{title}: {words(lang)['rr_moment'][by]}"
    return title


@functools.lru_cache(maxsize=None)
def nudge_words(lang: str) -> dict[str, str]:
    """Each rule's nudge as the coachee reads it on the overlay ("Vat samen"), from the rule
    pack of ``lang``: the one table the overlay, the trainer's chips and the debrief use."""
    try:
        return dict(load_pack(lang_of(lang)).messages)
    except (PackError, OSError):
        return {}


def nudge_seen(n: dict, lang: str) -> str:
    """The words the coachee saw for nudge ``n``: as it was shown (the engine put its pack's
    words in the log; a trainer's own text), else the rule pack's; "" for one kept for the
    report only: nothing was shown."""
    if not n.get("delivered", True):
        return ""
    return n.get("message") or nudge_words(lang).get(n["rule"], "")


def moment_title(n: dict, lang: str, *, detail: bool = True) -> str:
    """A moment's heading: the fault's title and the nudge the coachee saw for it, so the
    reader connects the two ("Te weinig samengevat · «Vat samen»"); the title alone where
    no nudge was shown."""
    seen = nudge_seen(n, lang)
    title = rule_title(n, lang, detail=detail)
    return f"{title} · {in_quotes(seen, lang)}" if seen and seen != title else title


def in_quotes(text: str, lang: str) -> str:
    """Words as shown on screen, in the language's quotes: «Vat samen», “Summarise”."""
    return words(lang)["quoted"].format(m=text)


def not_delivered(n: dict, w: dict) -> str:
    """Why a nudge was not shown live, as the engine's detail says: too late (the ASR behind),
    a repeat inside its rule's cooldown, held (outside the focus, just after another nudge,
    while the trainer's was on screen, the other language), else just "report only"; or,
    sent live, that no overlay was open to show it (a capture's session: ``detail.overlays`` 0)."""
    detail = n.get("detail") or {}
    if n.get("delivered", True):
        return w["unseen"] if detail.get("overlays") == 0 else ""
    late = detail.get("late_s")
    if isinstance(late, (int, float)):
        return w["too_late"].format(s=f"{late:.0f}")
    if detail.get("repeat"):
        return w["held_repeat"]
    return w.get(f"held_{detail.get('held')}", w["not_delivered"])


def focus_text(report: dict, w: dict, lang: str) -> str:
    """"Vat samen, Laat uitpraten (vanaf 1:30); alle seintjes (vanaf 6:00)": what the trainer
    (or ``--focus``) let through live, in the words the overlay showed, and from when; ""
    when every nudge went live throughout."""
    changes = report.get("trainer_focus") or []
    if not any(c["rules"] for c in changes):
        return ""
    said = nudge_words(lang)  # a change logged without its words (an old log): the pack's
    parts = []
    for c in changes:
        names = c.get("messages") or list(dict.fromkeys(said.get(r, r) for r in c["rules"]))
        which = ", ".join(names) or w["focus_all"]
        parts.append(f"{which} ({w['focus_from'].format(t=clock(c['t']))})")
    return "; ".join(parts)


def roles(names: dict, w: dict) -> str:
    """"Coachee: Manager · Gesprekspartner: Sanne"; a role without a name is left out ("…
    · Gesprekspartner" at the end read as a name missing); "" when neither has one."""
    return " · ".join(f"{w[k]}: {names[k]}" for k in ("coachee", "partner") if names[k] != w[k])


def speaker_names(s: dict, w: dict) -> dict[str, str]:
    """A session's display names; the words for "coachee"/"partner" where none was given."""
    return {k: s[k] if s[k] and s[k] != k else w[k] for k in ("coachee", "partner")}


def rating_text(figure: dict, w: dict) -> str:
    """A card's rating in words ("✓ goed"), or why it has none ("niet beoordeeld: ...")."""
    return w["unrated"].get(figure.get("unrated"), "") or w["status"][figure["rating"]]


def lang_of(lang: str | None) -> str:
    return "nl" if (lang or "").lower().startswith("nl") else "en"


def words(lang: str | None) -> dict[str, str]:
    return _NL if lang_of(lang) == "nl" else _EN


def clock(seconds: float | None) -> str:
    """12.3 -> "0:12"; 3725 -> "1:02:05"."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    s = int(max(seconds, 0.0))
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def half_up(x: float, digits: int = 0) -> float:
    """``x`` rounded as people round, half away from zero: 0.25 -> 0.3, 0.125 -> 13% (Python's
    ``round`` and ``format`` round half to even: "0,2 per vraag" for 1 reflection to 4 questions)."""
    q = 10 ** digits
    return math.copysign(math.floor(abs(x) * q + 0.5 + 1e-9) / q, x)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{half_up(value * 100):.0f}%"


def per_question(value: float | None, w: dict) -> str:
    """The reflections-to-questions ratio in words, to one decimal as it is rated: "0
    reflecties per vraag", "1,5 reflecties per vraag" (a count card's "0 : 1" read as a
    wrong count beside "2 vragen"); "" without questions or reflections."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return w["rq_no_question"]
    n = half_up(value, 1)
    return w["rq_per"].format(n=f"{number(n, w)} {w['n_reflection'][0 if n == 1 else 1]}")


def when(wall: float, lang: str) -> str:
    if not wall:
        return ""
    tm = time.localtime(wall)
    return time.strftime("%d-%m-%Y %H:%M" if lang_of(lang) == "nl" else "%Y-%m-%d %H:%M", tm)


def label_chips(labels: dict, lang: str, speaker: str = "coachee") -> list[str]:
    """The names of an utterance's labels that are set, in a fixed order; none for the
    partner (the labels code the coachee's behaviour)."""
    if speaker != "coachee":
        return []
    names = LABEL_NAMES[lang_of(lang)]
    out = []
    q = labels.get("question")
    if q in ("open", "closed"):
        out.append(names[q])
    if labels.get("reflection"):
        out.append(names["reflection"])
    for key in ("draaivraag", "proposal", "permission", "advice", "push", "input", "backchannel"):
        if labels.get(key):
            out.append(names[key])
    n = labels.get("arguments")
    if isinstance(n, int) and not isinstance(n, bool) and n > 0:
        out.append(f"{names['arguments']} ×{n}")
    return out


def problem_text(p: dict, w: dict, names: dict) -> str:
    """One sentence for a problem stretch of ``report_data.problems``."""
    key = p["reason"] if p["kind"] == "channel-silent" else p["kind"]
    if p["t1"] is None:
        span = w["span_end"].format(t0=clock(p["t0"]))
    elif clock(p["t0"]) == clock(p["t1"]):  # not "Van 9:55 tot 9:55"
        span = w["span_at"].format(t0=clock(p["t0"]))
    else:
        span = w["span"].format(t0=clock(p["t0"]), t1=clock(p["t1"]))
    sp = p.get("speaker") or "partner"
    default = w[f"who_{sp}"] if sp in ("coachee", "partner") else sp
    who = names.get(sp) if names.get(sp) not in (None, "", w.get(sp)) else default
    # p["cause"]: why both channels heard the same (old sessions do not say)
    files = p.get("files") or []
    # one stereo file: a mono recording saved as stereo; two: one recording given twice
    cause = ("file" if len(files) == 1 else "files") if files and p.get("cause") == "one-input" else p.get("cause")
    if p.get("files") and p["kind"] in ("channel-silent", "channel-clipped"):  # a replayed recording: not a device
        cause = "nobody file" if p.get("cause") == "nobody" else "file"
    if cause == "file-broken" and sp == "coachee":  # the coachee's file: the capture stopped there
        cause = "file-broken-both" if len(files) == 1 else "file-broken-end"  # (one: a stereo file)
    if p.get("ended") and cause in ("file-broken-both", "file-broken-end"):
        cause += " ended"  # it ended the session: the report's status, with the file's name
    text = w.get(f"problem_{key} {cause}") or w[f"problem_{key}"]
    # as long as the two times shown say (0:19 to 0:44 is 25 s, though 25.7 s passed)
    gap = duration(int(max(p["t1"], 0.0)) - int(max(p["t0"], 0.0)), w) if p["t1"] is not None else ""
    n = count_text(p["events"], w["n_event"]) if p.get("events") is not None else ""
    name = p.get("file") or ""
    return text.format(span=span, who=who, gap=gap, n=n, t0=clock(p["t0"]), file=name or w["a_file"],
                       in_file=f" ({name})" if name else "")


def duration(seconds: float, w: dict) -> str:
    """A length of time as people say it: "2 min", "90 s", "4 min 30 s"."""
    s = int(half_up(max(seconds, 0.0)))
    if s >= 60 and s % 60 == 0:
        return w["minutes"].format(n=s // 60)
    if s < 180:
        return w["seconds"].format(n=s)
    return f'{w["minutes"].format(n=s // 60)} {w["seconds"].format(n=s % 60)}'


def number(x: float, w: dict) -> str:
    """1.0 -> "1", 1.5 -> "1,5" (in Dutch)."""
    return f"{x:g}".replace(".", w["decimal"])


def yardstick_text(key: str, ys: dict, w: dict, *, partner_wpm: str = "") -> str:
    """The yardstick under a figure, in ``w``'s words, from what it is rated by
    (``report_data.yardsticks``): a changed threshold changes the text."""
    pc = "{:g}%".format
    if key == "talk_share":
        return w["talk_share_y"].format(target=pc(ys["target"]), good=pc(ys["good"]), fair=pc(ys["fair"]))
    if key == "reflections_questions":
        return w["reflections_questions_y"].format(fair=number(ys["fair"], w), good=number(ys["good"], w))
    if key == "open_questions":
        return w["open_questions_y"].format(fair=w["half"] if ys["fair"] == 50 else pc(ys["fair"]),
                                            good=pc(ys["good"]))
    if key == "summaries":
        return w["summaries_y"].format(good=duration(ys["good"], w), fair=duration(ys["fair"], w))
    if key == "monologues":
        out = [w["monologues_y"].format(good=clock(ys["good"]), fair=clock(ys["fair"]))]
        if ys["good"] == ys["fair"]:  # a pack's monologue under the sales yardstick: no fair band
            out = [w["monologues_good"].format(good=clock(ys["good"]))]
        if ys.get("monologue") is not None:  # (its fair edge: stored reports may differ)
            out.append(w["monologue_from"] if ys["monologue"] == ys["fair"]
                       else w["monologue_at"].format(n=clock(ys["monologue"])))
        return " · ".join(out)
    if key == "speaking_rate":
        return w["speaking_rate_y"].format(wpm=partner_wpm, good=number(ys["good"], w),
                                           fast=number(ys["fast"], w),
                                           faster=pc(half_up((ys["partner_factor"] - 1) * 100)))
    out = [w["target"].format(n=number(ys["good"], w))]
    if key == "argument_stacks" and ys.get("stack"):
        out.append(w["argument_stacks_y"].format(stack=ys["stack"]))
    if key == "righting_reflexes":
        out.insert(0, w["righting_reflexes_y"])
    return " · ".join(out)
