"""The scripted conversations behind tests/fixtures/audio (read by make_fixtures.py).

Scenario from seed 000: a manager (coachee) wants a staff member (partner) back at
the office. Push versions stack arguments, say "moeten"/"must", ask closed questions,
give unsolicited advice and interrupt; pull versions ask open questions, summarise,
ask the draaivraag and make a proposal without an argument.

Notation, one tuple per main turn: (speaker, text, options)
- speaker "c" = coachee, "p" = partner.
- text "spoken | never said": the turn is cut off by the next turn, which must have
  interrupts=True; the words after "|" are synthesised but cut away.
- gap: seconds of silence after the previous main turn (default 0.6).
- inside: list of (kind, at, text) spoken by the OTHER speaker while this turn plays;
  kind "bc" = backchannel, "fail" = an interruption attempt that the speaker of this
  turn talks through; at = seconds after this turn's speech starts.
"""

NL_VOICES = {"c": "nl+m3", "p": "nl+f3"}
# MBROLA diphone voices (Debian contrib/non-free: mbrola, mbrola-nl2, mbrola-nl3): Whisper base
# hears them far better than espeak-ng's own Dutch (WER ~0.35 against ~0.8), nearer a person
MB_VOICES = {"c": "mb-nl2", "p": "mb-nl3"}
EN_VOICES = {"c": "en-us+m3", "p": "en+f3"}

NL_PUSH = [
    ("c", "Goedemorgen Sanne. Ik wil het even met je hebben over het thuiswerken.", {}),
    ("p", "Goedemorgen. Ja, ik dacht al dat dat eraan zou komen.", {}),
    ("c", "Iedereen moet weer vier dagen per week naar kantoor komen, want het team "
          "valt uit elkaar. Bovendien missen we de korte lijntjes.",
     {"inside": [("bc", 2.2, "hm")]}),
    ("p", "Ik snap dat wel, maar thuis kan ik me veel beter concentreren | "
          "en op kantoor word ik steeds gestoord door de herrie.", {}),
    ("c", "Daarnaast is het ook gewoon beleid, dus je moet er echt weer bij zijn.",
     {"interrupts": True}),
    ("p", "Maar ik haal al mijn doelen, en mijn reistijd is bijna twee uur per dag.",
     {"inside": [("bc", 1.6, "ja")]}),
    ("c", "Heb je wel eens geprobeerd om eerder te vertrekken? "
          "Je zou gewoon de trein van zeven uur moeten nemen.", {"gap": 0.4}),
    ("p", "Dat heb ik geprobeerd, maar dan moet ik de kinderen eerder naar de opvang "
          "brengen, en dat lukt gewoon niet elke dag.",
     {"inside": [("fail", 1.2, "Maar wacht even.")]}),
    ("c", "Bovendien is het goed voor de samenwerking, en daarnaast betalen we ook "
          "gewoon voor al die werkplekken.",
     {"inside": [("fail", 1.4, "Nee, dat is niet")], "gap": 0.3}),
    ("p", "Ik wil best een dag extra komen, als ik dan | "
          "wel een rustige plek krijg om te werken.",
     {"inside": [("bc", 0.8, "oké")]}),
    ("c", "Kun je dan niet gewoon een koptelefoon opzetten? Dat moet toch lukken.",
     {"interrupts": True, "inside": [("bc", 2.2, "hm")]}),
    ("p", "Oké. Ik zal erover nadenken.", {"gap": 0.9}),
]

NL_PULL = [
    ("c", "Goedemorgen Sanne, fijn dat je tijd hebt. Hoe bevalt het thuiswerken je eigenlijk?", {}),
    ("p", "Eerlijk gezegd heel goed. Thuis kan ik me veel beter concentreren dan op kantoor.",
     {"inside": [("bc", 2.0, "hm")]}),
    ("c", "Wat maakt dat je je thuis beter kunt concentreren?", {}),
    ("p", "Op kantoor zit ik in de kantoortuin, en daar is het vaak druk en lawaaiig. "
          "Dan word ik steeds gestoord.",
     {"inside": [("bc", 2.4, "ja")]}),
    ("c", "Als ik je goed begrijp, heb je vooral last van de drukte en het geluid in de kantoortuin.",
     {"inside": [("bc", 2.6, "ja")]}),
    ("p", "Ja, precies. En ik reis ook bijna twee uur per dag.", {}),
    ("c", "Hoe zou een goede werkweek er voor jou uitzien?", {"gap": 0.8}),
    ("p", "Twee dagen op kantoor zou ik prima vinden, als ik dan rustig kan werken.",
     {"inside": [("bc", 1.8, "oké")]}),
    ("c", "Dus jij zegt: twee dagen kan, als er een rustige plek is. "
          "Wat zou het ons kunnen opleveren als je vaker op kantoor bent?",
     {"inside": [("bc", 1.9, "hm")]}),
    ("p", "Nou, ik zou sneller kunnen overleggen met het team, "
          "en nieuwe collega's leren mij beter kennen.",
     {"inside": [("bc", 2.2, "ja")]}),
    ("c", "Is het een idee dat we de stilteruimte een paar uur per dag voor je reserveren?", {}),
    ("p", "Ja, dat zou echt helpen. Dan kom ik graag vaker.", {}),
]

EN_PUSH = [
    ("c", "Morning Sam. I want to talk to you about working from home.", {}),
    ("p", "Morning. Yes, I thought this might come up.", {}),
    ("c", "Everyone has to come back to the office four days a week, because the team "
          "is falling apart. Besides, we are losing all the quick chats.",
     {"inside": [("bc", 2.2, "hmm")]}),
    ("p", "I understand that, but at home I can concentrate so much better | "
          "and in the office I keep getting disturbed by the noise.", {}),
    ("c", "On top of that it is simply company policy, so you really must be here.",
     {"interrupts": True}),
    ("p", "But I meet all my targets, and my commute is almost two hours a day.",
     {"inside": [("bc", 1.6, "yeah")]}),
    ("c", "Have you tried leaving earlier? You should just take the seven o'clock train.",
     {"gap": 0.4}),
    ("p", "I have tried that, but then I have to take the kids to daycare earlier, "
          "and that just does not work every day.",
     {"inside": [("fail", 1.6, "But wait a moment.")]}),
    ("c", "Also, it is good for teamwork, and on top of that we pay for all those desks.",
     {"inside": [("fail", 1.4, "No, that is not")], "gap": 0.3}),
    ("p", "I would be fine with coming in one extra day if I could | "
          "get a quiet place to work.",
     {"inside": [("bc", 0.8, "okay")]}),
    ("c", "Can't you just wear headphones? That should work, surely.",
     {"interrupts": True, "inside": [("bc", 2.2, "hmm")]}),
    ("p", "Okay. I will think about it.", {"gap": 0.9}),
]

EN_PULL = [
    ("c", "Morning Sam, thanks for making time. How is working from home going for you?", {}),
    ("p", "Honestly, really well. At home I can concentrate much better than in the office.",
     {"inside": [("bc", 2.0, "hmm")]}),
    ("c", "What is it that helps you concentrate at home?", {}),
    ("p", "In the office I sit in the open plan area, and it is often busy and noisy. "
          "Then I keep getting disturbed.",
     {"inside": [("bc", 2.4, "yeah")]}),
    ("c", "So what you are saying is that the crowd and the noise in the open office "
          "bother you most.",
     {"inside": [("bc", 2.6, "yes")]}),
    ("p", "Yes, exactly. And my commute is almost two hours a day.", {}),
    ("c", "What would a good working week look like for you?", {"gap": 0.8}),
    ("p", "Two days in the office would be fine, as long as I can work quietly.",
     {"inside": [("bc", 1.8, "okay")]}),
    ("c", "It sounds like two days could work if there is a quiet place. "
          "What could it bring us if you were in the office more often?",
     {"inside": [("bc", 1.9, "hmm")]}),
    ("p", "Well, I could talk things through with the team faster, "
          "and new colleagues would get to know me better.",
     {"inside": [("bc", 2.2, "yeah")]}),
    ("c", "How about we book the quiet room for you for a few hours a day?", {}),
    ("p", "Yes, that would really help. Then I would happily come in more often.", {}),
]

# name -> (lang, voices, wpm per speaker, script)
CONVERSATIONS = {
    "nl_push": ("nl", NL_VOICES, {"c": 165, "p": 150}, NL_PUSH),
    "nl_pull": ("nl", NL_VOICES, {"c": 150, "p": 155}, NL_PULL),
    "nl_push_mb": ("nl", MB_VOICES, {"c": 165, "p": 150}, NL_PUSH),
    "nl_pull_mb": ("nl", MB_VOICES, {"c": 150, "p": 155}, NL_PULL),
    "en_push": ("en", EN_VOICES, {"c": 165, "p": 150}, EN_PUSH),
    "en_pull": ("en", EN_VOICES, {"c": 150, "p": 155}, EN_PULL),
}

# bleed variants: (name, source conversation)
BLEED = {"nl_push_bleed": "nl_push"}
