"""Utterance labels from a rule pack (and, for English, an optional learned model).

``Labeler.label(text, words, prev_partner="")`` gives a :class:`Labels`: what the
utterance *does* (reflects, asks open/closed, informs, advises, pushes, argues, is a
backchannel, asks permission, proposes) plus a few flags the rules need. A phrase only
counts when its words were heard with mean probability >= ``min_p``, so a label never
hangs on one uncertain word.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from pullcoach.rules.pack import Pack
from pullcoach.rules.text import Match, PhraseSet, Token, clauses, normalise, tokens

__all__ = ["Labels", "Labeler", "LABEL_KEYS"]

# A push word said outright ("Everyone has to be in the office") outweighs a learned
# reflection label below this probability: AnnoMI has little pushing, so the model reads
# pushy second-person statements as reflections. Chosen on tests/data/en_labels/dev.jsonl
# (push F1 0.75 -> 0.92) against AnnoMI dev CV (push-words nudges 18 -> 22 in 53 sessions).
# With reasons in the utterance a push outweighs any learned reflection (rules/README.md).
PUSH_OVER_REFLECTION = 0.75
# A reflection inferred from a statement about the other (no marker) needs the utterance heard
# with at least this mean word probability: Whisper base's misheard Dutch sits around 0.5.
ABOUT_THEM_MIN_P = 0.7
# A one-word phrase matched through a misspelt or split word needs this mean probability: on
# its own it is one uncertain word ("Morten" at p 0.54 is no "moeten", nor "met en" a split
# "meten"). In a longer phrase the other words vouch for it ("In de reen moet": "Iedereen moet").
FUZZY_MIN_P = 0.7
# Whisper base makes up a clause in the silence after speech ("... vanzelf weggaan. En dan gaan we
# een uitzicht van de deel", its words at p 0.03-0.2): a last clause heard below this mean
# probability is left out. MBROLA nl2 speech of dev.jsonl: 9 such tails in 120 lines, all under
# 0.2; no clause that was said under 0.4.
TAIL_MAX_P = 0.25
# Dutch labels inferred from plain words (dev3.jsonl, see _echoes / _informs): an echo's first
# part is at most 8 words, 60% of its content words the partner's; a statement informs with 2
ECHO_MAX_WORDS = 8
ECHO_SHARE = 0.6
INFORM_MIN_CONTENT = 2
# Duty verbs of a pack push phrase said to the other ("you have to", "you really need to"): said
# back after the partner's own "I need to" it may give back their duty (see Labeler._own_duty)
DUTY = ("have to", "need to", "got to", "must")
LABEL_KEYS = ("reflection", "question", "input", "advice", "push", "arguments",
              "backchannel", "permission", "proposal")


@dataclass(frozen=True, slots=True)
class Labels:
    reflection: bool = False
    question: str | None = None  # "open" | "closed" | None
    input: bool = False
    advice: bool = False
    push: bool = False
    arguments: int = 0
    backchannel: bool = False
    permission: bool = False
    proposal: bool = False
    # flags for the rules, not part of the published labels
    draaivraag: bool = False
    resistance: bool = False
    discord: bool = False  # a pack `discord` phrase anywhere ("I don't like being told ...")
    advice_request: bool = False
    advice_p: float = 0.0  # how sure the advice label is (1.0 from a pack phrase, else the model's p)
    advice_asked: bool = False  # every advice phrase sits in a question, none a suggestion-question
    input_p: float = 0.0   # the learned model's p for input (0 without a model: a pack's argument
                           # connective is no evidence of unsolicited informing)
    proposal_argued: bool = False  # an argument follows the proposal in the same utterance
    words: int = 0
    closed_n: int = 0  # closed-question clauses in the utterance
    autonomy: bool = False  # autonomy-supportive framing ("it's up to you", "some people find")
    plain_input: bool = False  # input only because a plain statement says something (_informs)
    greeting: bool = False  # opens with social talk ("Morning Sam.", "Hi Casey, thanks for coming in.")

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in LABEL_KEYS}


class Labeler:
    def __init__(self, pack: Pack, *, model=None, min_p: float = 0.5) -> None:
        self.pack = pack
        self.model = model  # rules.model.LabelModel or None
        self.min_p = min_p
        self.fillers = frozenset(pack.lists["fillers"])
        self.embedding = frozenset(w for p in pack.lists["embedding"] for w in p.split())
        self.conditions = frozenset(w for p in pack.lists["conditional"] for w in p.split())
        self.infers_reflections = bool(pack.lists["about_them"])  # see _about_them (Dutch)
        self.subjects = frozenset(pack.lists["subject"])  # see _inverted (Dutch)
        self.question_verbs = frozenset(pack.lists["question_verb"])
        self.subordinators = frozenset(pack.lists["subordinator"])
        self.summary_start = frozenset(pack.lists["summary_start"])
        self.me = frozenset(pack.lists["about_me"])
        self.addressed = self.subjects & frozenset(pack.lists["about_them"])  # "je", "u": not "het"
        self.them = frozenset(w for p in pack.lists["about_them"] for w in p.split())
        self.backchannel = frozenset(w for p in pack.lists["backchannel"] for w in p.split())
        # the partner's own duty ("I really need to have a job"): the push list's second-person
        # duty phrases said in the first person
        self.duties = frozenset(p for p in pack.lists["push"]
                                if p.startswith("you ") and any(d in p for d in DUTY))
        # a warning told to them (pack list warning: "Drinking at night ruins your sleep.", "Roken
        # is slecht voor je.") informs; where reflections are not inferred from the words (English:
        # the learned labels decide) it is also a reason that counts anywhere in a statement, as an
        # appeal to proof is ("research shows", "the fact is": in both more_reasons and information).
        # Each is found as one list with the one it joins (leftmost-longest: "is really bad for you"
        # is "is really bad"), as when the warnings were written into those lists.
        warnings = pack.lists["warning"]
        proof_warnings = [] if self.infers_reflections else warnings
        self.proof = (frozenset(pack.lists["more_reasons"]) & frozenset(pack.lists["information"])
                      | frozenset(proof_warnings))
        self.joined = {"information": PhraseSet(pack.lists["information"] + warnings),
                       "more_reasons": PhraseSet(pack.lists["more_reasons"] + proof_warnings)}
        self.surmise = frozenset(pack.lists["surmise"])  # see _surmised
        self.own_duties = PhraseSet([f"{me} {p[4:]}" for p in self.duties for me in ("i", "we")])
        fw = pack.lists["function_word"]
        self.function_words = frozenset(
            [w for p in fw + pack.lists["fillers"] + pack.lists["about_them"] + pack.lists["about_me"]
             + pack.lists["subject"] for w in p.split()]) if fw else frozenset()

    def _search(self, name: str, toks: list[Token], start: bool = False, parts: bool = False) -> list[Match]:
        """Every match of a pack list, however uncertain its words."""
        found = self.joined.get(name) or self.pack.phrases(name)
        return found.find(toks, at_clause_start=start, skip_fillers=self.fillers, at_part_start=parts)

    def _sure(self, m: Match) -> bool:
        return m.p >= self.min_p and (m.exact or m.p >= FUZZY_MIN_P or _words(m) > 1)

    def _find(self, name: str, toks: list[Token], start: bool = False, parts: bool = False) -> list[Match]:
        """The matches heard well enough to count."""
        return [m for m in self._search(name, toks, start, parts) if self._sure(m)]

    def _resists(self, toks: list[Token]) -> bool:
        """"Ja maar ...", "Maar ik wil niet ...": resistance; not a concession that opens
        like it ("Maar ik snap ook dat het lastig is voor jou")."""
        conceded = {m.start for m in self._find("concession", toks, start=True)}
        return (any(m.start not in conceded for m in self._find("resistance", toks, start=True))
                or self._discord(toks))

    def _discord(self, toks: list[Token]) -> bool:
        """A pack ``discord`` phrase anywhere, or a ``dismissal`` that is the whole utterance
        after fillers ("Whatever.")."""
        if self._find("discord", toks):
            return True
        start = next((i for i, t in enumerate(toks) if t.text not in self.fillers), len(toks))
        return any(m.start == start and m.end == len(toks) for m in self._find("dismissal", toks))

    def _surmised(self, toks: list[Token], m: Match) -> bool:
        """"You must be exhausted", "You must be running on empty", "You must like that statue",
        "You must have been scared": a guess at how they are (epistemic "must"), no duty: "must"
        then a word of pack list ``surmise`` (a verb of feeling), "have been / had / felt", or
        "be" and, past intensifiers, a ``surmise`` word or one ending in "-ing". "You must be
        careful", "You must have a plan" still push."""
        if not self.surmise or m.phrase.split()[-1] != "must" or m.end >= len(toks) or toks[m.end].clause_start:
            return False
        nxt = toks[m.end].text
        if nxt in self.surmise:
            return True
        if nxt == "have":
            return m.end + 1 < len(toks) and toks[m.end + 1].text in _PERFECT
        if nxt != "be":
            return False
        i = m.end + 1
        while i < len(toks) and toks[i].text in _INTENSIFIERS and not toks[i].part_start:
            i += 1
        return i < len(toks) and not toks[i].clause_start and (
            toks[i].text in self.surmise or (toks[i].text.endswith("ing") and len(toks[i].text) > 4))

    def _yes_but(self, toks: list[Token]) -> bool:
        """Opens with "Ja maar" / "Yes, but" (a pack resistance form after a yes or no, not
        a concession): the speaker argues back (seed 003: "tegenwerpingen"), whatever follows
        ("Yeah, but that's exactly why ...; you guys just have to be brave"): never a reflection."""
        conceded = {m.start for m in self._find("concession", toks, start=True)}
        return any(m.start == 0 and m.start not in conceded and m.phrase.split()[0] in _YES_NO
                   and len(m.phrase.split()) > 1 for m in self._find("resistance", toks, start=True))

    def _only_backchannel(self, toks: list[Token]) -> bool:
        return _covered(self.pack.phrases("backchannel").find(toks), len(toks))

    def label(self, text: str, words: tuple = (), prev_partner: str = "", *,
              use_model: bool = True, prev_own: str = "", turn: str = "") -> Labels:
        """``turn``: what the speaker said just before in the same turn (Whisper's earlier
        fragments of it): this fragment is a reflection only if the turn with it is one
        ("..., because otherwise the team has to pick up the slack" is no reflection)."""
        whole: list[Labels | None] = []  # the turn with this piece, labelled once when asked

        def goes_on() -> bool:
            """The turn with this piece argues, asks or tells. Asked only of a piece that reads
            as a reflection (labelling the turn is an encoder pass in English). After a question
            the partner has not answered yet, what follows is a move of its own; a suggestion
            or proposal asked is no question to wait on ("Waarom plan je ... niet gewoon ...?
            Dan heb je een reden om te komen." argues for it)."""
            if not whole:
                goes = turn.strip() and (not turn.rstrip().endswith("?") or (
                    self.infers_reflections and self._suggests(turn, prev_partner)))
                whole.append(self.label(f"{turn} {text}", (), prev_partner, use_model=use_model)
                             if goes else None)
            return whole[0] is not None and not whole[0].reflection

        probs = [(w.text, w.p) for w in words] if words else None
        toks = _without_tail(tokens(text, probs)) if probs else tokens(text)
        n = len(toks)
        if n == 0:
            return Labels()
        backchannel = n <= 4 and self._only_backchannel(toks)
        opens = self._find("reflection", toks, start=True)
        # the coachee's own case (Dutch): a reflection inferred from a bare "je"/"u" opening,
        # a statement about the other or an echo does not hold (see _own_case)
        own_case = self._own_case(toks, prev_partner, opens_turn=not turn.strip())
        reflection = any(not (own_case and self._bare(m)) for m in opens)
        question, closed_n = self._question(toks)
        args = self._find("argument", toks)
        views = self._find("their_view", toks)
        # "You feel you have to be perfect": the push word reports their view, it does not push
        # "Dat moet je zelf weten" leaves the choice to them: no push
        free = self._find("autonomy", toks)
        # "Wat ik hoor is: ..., het moet passen in de contracten": a summary that names itself
        # gives back what they said, their "moet" too
        named = self._find("summary", toks)
        # English reads a duty after an embedding word ("everything you need to afford") as described
        # over the learned labels only: its word model learned from the pack's labels without that
        # reading (retrained with it, AnnoMI dev CV advice 0.268 -> 0.260 by threshold shifts alone)
        # and reads "You must be exhausted" as no duty (``_surmised``) over the learned labels only
        # too: as a feature it moved AnnoMI dev CV by threshold shifts alone (one row, "You must like
        # that statue.": reflection 0.715 -> 0.712, median high 0.89 -> 0.93)
        learned = self.model is not None and use_model
        embedding = self.embedding if self.infers_reflections or learned else frozenset()
        conditional = embedding | self.conditions
        # a piece that goes on with a sentence the turn began giving back their words ("Let me
        # see if I've got this right, you want the job," | "and you need to provide for your kids.")
        carried = self._carries(turn)

        def imposed(m: Match) -> bool:
            return (not _in_view(toks, m, views, conditional) and not _first_clause(toks, m, carried)
                    and not (learned and self._surmised(toks, m))
                    and not any(a.start < m.end and m.start < a.end for a in free)
                    and not self._echoed(toks, m, prev_partner)
                    and not _reflected_before(toks, named, m.start))

        # "Dan moet u die gewoon gebruiken": "you must" said outright pushes and advises
        must = [m for m in self._find("you_must", toks) if not toks[m.start].question and imposed(m)]
        pushes = must + [m for m in self._find("push", toks) if imposed(m) and self._there_pushes(toks, m)]
        push = bool(pushes)
        advice_found = [m for m in self._find("advice", toks) if not _in_view(toks, m, views, embedding)
                        and not self._echoed(toks, m, prev_partner) and not _first_clause(toks, m, carried)
                        and not _reflected_before(toks, named, m.start)]  # "Let me see ..., you need to"
        advice_found += self._commands(toks) + must
        if self.model is not None and use_model:  # English: "Have you tried the patches?" suggests;
            # "Have you tried anything / to stop before?" asks what they did
            advice_found += [m for m in self._find("advice_question", toks, start=True) if toks[m.start].question
                             and not any(t.text in _TRIED for t in toks[_clause_start(toks, m.start):]
                                         if t.question)]
        advice_found.sort(key=lambda m: m.start)
        advice = bool(advice_found)
        advice_p = 1.0 if advice else 0.0
        # "Why not a one or a two?" asks; "Why don't you try the patch?" still advises
        asked = bool(advice_found) and all(toks[m.start].question for m in advice_found) and not (
            self._find("advice_question", toks))
        # advice said outright, not after a reflection's opening in its sentence ("It sounds
        # like you need to ..."; "You must stop. You have to." has none before "You have to")
        marks = self._find("reflection", toks)  # reflection openings anywhere, found once
        # ("Nobody said you're an alcoholic, but you should cut down": told after the "but")
        told = advice and not asked and not _reflected_before(toks, marks, advice_found[0].start, turned=True)
        # a reason added to reasons, opening a clause of a statement ("Besides, it costs ..."):
        # the speaker's own case, never a reflection
        # an appeal to proof or a warning (self.proof: "Smoking will kill you.", "Drinking at
        # night ruins your sleep.") counts wherever it stands in the
        # clause, unless their view frames it ("You're worried smoking will kill you") or the
        # clause gives back their words ("You know it's bad for you" after "I know it's bad for me")
        adds = [m for m in self._find("more_reasons", toks) if not toks[m.start].question
                and not _reflected_before(toks, marks, m.start) and (self._opens_clause(toks, m.start) or (
                    m.phrase in self.proof and not _in_view(toks, m, views, embedding)
                    and not _gives_back(toks, m, prev_partner)))]
        summary = bool(named)
        # discord said outright ("That's not really an excuse."), not in their view ("You feel
        # that won't work") or a named summary: the speaker argues back
        # ("You said that already" argues: a view inside the discord phrase is its own words)
        argues = self._yes_but(toks) or any(
            not _in_view(toks, m, views, embedding) and not _reflected_before(toks, named, m.start)
            and not toks[m.start].question  # "You said that already?" checks
            and not any(v.start < m.end and m.start < v.end and not (m.start <= v.start and v.end <= m.end)
                        for v in views + free)  # "I'm not going to tell you"
            for m in self._find("discord", toks))
        # information inside a question only when it opens its clause ("Wist je dat ...?"),
        # not a word in what is asked ("Hoe laat spelen jullie meestal?")
        # nor in a sentence that opens summing up ("Dus ..., en de meeste vielen in de praktijk
        # tegen"): what it tells is theirs, as the reasons in a reflection are (Dutch)
        informs = [m for m in self._find("information", toks)
                   if (not toks[m.start].question or toks[m.start].clause_start)
                   and toks[_clause_start(toks, m.start)].text not in self.summary_start
                   and not (self.function_words and self._theirs(toks, m, views, prev_partner))]
        info = bool(informs)
        # the speaker's own case before the first reflection opening, in an earlier sentence
        # ("Kijk, ik zeg het omdat ... En je hebt ook nog je beoordeling ..."): it goes on arguing
        # (packs that infer reflections; in English it cost AnnoMI dev CV reflection 0.711 -> 0.704)
        own_first = bool(opens) and not summary and self.infers_reflections and any(
            m.start < _clause_start(toks, opens[0].start) and not toks[m.start].question
            for m in informs + args)
        # also after a comma: "Goed idee, ik stel voor dat je ..." (Whisper's comma for a full stop)
        proposals = self._find("proposal", toks, start=True, parts=True)
        argued = bool(proposals) and any(a.start >= proposals[0].end for a in args)
        # a proposal for what the partner will do advises ("Ik stel voor dat je ..."), but offers
        # it for discussion (seed 000: the proposal is a pull move): no righting-reflex evidence
        offered = False  # advice only from a proposal in a later sentence than the first
        if proposals and not advice:
            you = self._find("about_them", toks)
            advice = any(self._partner_after(toks, m, you) for m in proposals)
            offered = advice and _clause_start(toks, proposals[0].start) > 0 and self.infers_reflections
        arguments = 0 if backchannel else len(args)
        # a push word in an open question tells nothing ("Wat zou er moeten gebeuren?"); a
        # reason opening a sentence ("Bovendien ...") is the coachee's own, not a reflected one
        telling = advice or (push and question != "open") or info or any(
            self._opens_clause(toks, a.start) for a in args)
        inp = telling or arguments > 0 or argues
        if reflection and info and self.function_words and all(self._bare(m) for m in opens):
            reflection = False  # "Je kunt het, echt.": told, not said back (Dutch)
        if not reflection and not own_case and (self.model is None or not use_model):
            # reasons inside a statement about the other are theirs ("Je zorgt ook nog voor je moeder")
            reflection = self._about_them(toks, question, telling) or self._echoes(
                toks, question, telling, prev_partner)
        if (not reflection and carried and not telling and question is None and self.infers_reflections
                and not self._find("about_me", toks) and self._heard(toks)):
            # the rest of a sentence the turn began with a summary that names itself or their
            # view, heard as a piece of its own ("Dus jij zegt:" | "twee dagen kan als er een
            # rustige plek is."): what it says is theirs, whatever came before the turn
            reflection = True
        # "You have to stop." opens like a reflection ("You ...") but pushes: not a reflection
        # a summary that names itself ("Als ik je goed begrijp ...") stands whatever came before
        # English reads an appeal to proof as no reflection over the learned labels only (below), as
        # it reads `embedding`: the word model learned from the pack's labels without it (AnnoMI dev
        # has one, "And studies have shown ...": as a feature it moved the CV by threshold shifts
        # alone, input 0.563 -> 0.558)
        pre = [m for m in adds if self.infers_reflections or m.phrase not in self.proof]
        # a reflection, then a proposal ("Je bent het echt zat. Zullen we afspreken dat je het
        # drie weken uitprobeert?"): the pull route's summary and closing move, both said (Dutch)
        reflection = (reflection or summary) and not (push or (advice and not offered) or pre or argues
                                                      or own_first or (not summary and goes_on()))
        if reflection and not telling and self.infers_reflections:
            # the reasons reflected are the partner's (packs that infer reflections; English
            # leaves this to the learned labels: AnnoMI dev CV input 0.588 -> 0.597 without it)
            inp, arguments = False, 0
        plain = False
        if not (inp or reflection or backchannel or question == "open") and (self.model is None or not use_model):
            # a piece that only leads into a question still to come tells nothing ("Op een
            # schaal van nul tot tien," cut off its "hoe belangrijk is het?" at a pause)
            lead = text.rstrip().endswith(",") and bool(self._find("open_form", toks))
            inp = plain = not lead and self._informs(toks)  # "Het was de derde nacht deze week."
        input_p = 0.0
        if self.model is not None and use_model:
            kw = tuple(k for k, on in (("reflection", reflection), ("open", question == "open"),
                                       ("closed", question == "closed"), ("input", inp),
                                       ("advice", advice), ("push", push), ("args", len(args) > 0),
                                       ("backchannel", backchannel)) if on)
            probs_ = self.model.predict(text, prev_partner, kw, prev_own)
            on = self.model.decide(probs_)
            reflection = on["reflection"]
            said, inp = inp, on["input"]
            if (probs_["reflection"] >= PUSH_OVER_REFLECTION and not (argues or adds or args)
                    and self._own_duty(toks, must + advice_found, prev_partner)):
                # "You have to provide for your children." after "I really need to have a job":
                # their own duty said back, where the learned labels are as sure of a reflection
                # as a push without "you" asks (below): no push, no advice. Not when it argues
                # ("Yeah, but ... You guys just have to be brave" after "We have to justify it")
                push = told = False
                advice, advice_p = False, 0.0
            advice_p = max(advice_p, probs_["advice"])  # a pack phrase stays evidence
            advice = advice or on["advice"]
            input_p = probs_["input"]
            # a question open by its form (pack list open_form: a scale question, "When has it
            # gone better?") stays open: coaches read the form (seed 004's smart questions), while
            # the learned labels follow AnnoMI, whose annotators call most scale questions closed,
            # and read the same one open or closed by what the client said before
            form_open = question == "open" and self._first_asks_open(toks) and bool(self._find("open_form", toks))
            question = self.model.question(probs_)
            if question and form_open:
                question = "open"
            elif question == "open" and self._first_asks("closed_form", toks):
                question = "closed"  # "How many a day?" asks for a number (as the Dutch pack reads it)
            elif question == "open" and any(toks[m.start].question for m in self._find("advice_question", toks, start=True, parts=True)):
                question = "closed"  # "Why don't you try the repair cafe?" suggests, it does not ask why
            elif question == "open" and self._asks_only_pull_moves(toks):
                question = "closed"  # "How about we ...?", "Can I share ...?" ask yes or no (Dutch: "Zullen we ...?")
            if (question == "open" and not (said or advice) and len(_clause_spans(toks)) == 1
                    and self._find("open_question", toks, start=True)):
                inp = False  # a lone open question tells nothing ("What would be a first small step?")
            # the learned labels miss plain advice and pushing (AnnoMI has little of either):
            # said outright, the pack decides
            # a push with reasons argues, however sure the learned labels are of a reflection ("...
            # because the damage adds up. You've got to do this for your family"; MI QA role-play)
            if told or adds or argues or (push and question is None and (
                    probs_["reflection"] < PUSH_OVER_REFLECTION or args)):
                reflection, inp = False, True
            elif reflection and not summary and goes_on():
                reflection, inp = False, inp or whole[0].input
            elif summary and not (push or advice):  # "Let me see if I've got this right. ..."
                reflection = True
            if reflection and not (inp or push or advice):
                arguments = 0  # the reasons said back are theirs ("..., and the club worked because ...")
        # a push word inside an open question evokes, it presses nothing on them ("Hoe zou een
        # pilot eruit moeten zien waar jullie iets mee kunnen?"): no push, as every hand-labelled
        # set reads it and push-words hears it. Dutch: the English word model learned its "push"
        # feature from the pack's labels as they were
        if push and question == "open" and self.infers_reflections and all(toks[m.start].question for m in pushes):
            push = False
        return Labels(
            reflection=reflection and not backchannel,
            question=None if backchannel else question,
            input=inp and not backchannel,
            advice=advice,
            push=push,
            arguments=arguments,
            backchannel=backchannel,
            permission=bool(self._find("permission", toks)),
            proposal=bool(proposals),
            draaivraag=bool(self._find("draaivraag", toks, start=True)),
            resistance=self._resists(toks),
            discord=self._discord(toks),
            advice_request=bool(self._find("advice_request", toks)),
            advice_p=advice_p if advice else 0.0,
            advice_asked=asked,
            input_p=input_p if inp else 0.0,
            proposal_argued=argued,
            words=n,
            autonomy=bool(free),
            plain_input=plain and not backchannel,
            greeting=self._greets(toks),
            closed_n=closed_n if question == "closed" else int(question == "closed"),
        )

    def _there_pushes(self, toks: list[Token], m: Match) -> bool:
        """A push phrase whose verb comes before "er" ("Daarom moet er nu iets gebeuren", "Dan
        moeten er meer mensen komen") presses only when "er" is its subject: no subject word
        (pack lists ``subject``, ``about_me``) before the verb in its part ("Ik moet er even
        over nadenken", "Voor u moet er ..."), and the clause does not ask ("Moet er iets
        veranderen?", also without its "?"). Other push phrases pass."""
        if m.phrase.split()[1:2] != ["er"]:
            return True
        a = _clause_start(toks, m.start)
        b = next((i for i in range(m.start + 1, len(toks)) if toks[i].clause_start), len(toks))
        if toks[m.start].question or self._inverted(toks, a, b) or self._opens_clause(toks, m.start):
            return False  # "Moet er iets veranderen" asks, "?" or not
        part = max(i for i in range(a, m.start + 1) if i == a or toks[i].part_start)
        return not any(t.text in self.subjects or t.text in self.me for t in toks[part:m.start])

    def _greets(self, toks: list[Token]) -> bool:
        """It opens with a pack ``greeting``, written as listed ("Morning Sam.", "Hi Casey, ...")."""
        return any(m.start == 0 and m.exact for m in self._find("greeting", toks))

    def _carries(self, turn: str) -> bool:
        """The turn so far ends in a sentence still open (no ".", "?", "!") with a summary that
        names itself or their view in it: the next piece's first clause goes on with it."""
        said = normalise(turn).rstrip()
        if not said or said[-1] in ".?!;":
            return False
        last = tokens(clauses(said)[-1])
        return bool(self._find("summary", last) or self._find("their_view", last))

    def _own_duty(self, toks: list[Token], found: list[Match], prev: str) -> bool:
        """Every push and advice phrase is a duty said to the other ("you have to", "you need to")
        in a statement, the partner's last words told their own ("So I really need to have a
        job and soon.") and each duty's sentence speaks of what they said (``_duty_theirs``): it
        may give their duty back (packs whose push list has such phrases). A duty in words of
        its own is a new one ("You have to say no to your boss." after "I have to work late
        every night")."""
        if not prev or not self.duties:
            return False
        duty = found + self._find("push", toks)
        if not duty or not all(m.phrase in self.duties and not toks[m.start].question for m in duty):
            return False
        said = tokens(prev)
        return any(not said[m.start].question and self._sure(m)
                   for m in self.own_duties.find(said, skip_fillers=self.fillers)) and all(
            _duty_theirs(toks, m, said) for m in duty)

    def _first_asks(self, name: str, toks: list[Token]) -> bool:
        """Its first question opens with a phrase of pack list ``name``."""
        a, b = _first_question(toks)
        return b > a and any(m.start == a for m in self._find(name, toks, start=True))

    def _first_asks_open(self, toks: list[Token]) -> bool:
        """Its first question asks openly: a scale after a yes/no question ("Is it important to
        you? On a scale of 1 to 10?") does not open it."""
        a, b = _first_question(toks)
        return b > a and self._question(toks[a:b])[0] == "open"

    def _bare(self, m: Match) -> bool:
        """A reflection opening that is only a word for the other ("je", "u", "voor jou"): the
        reflection is inferred from it, not said."""
        return all(w in self.them or w == "voor" for w in m.phrase.split())

    def _suggests(self, turn: str, prev: str) -> bool:
        """The turn so far ends in a suggestion or proposal put as a question."""
        said = self.label(clauses(normalise(turn))[-1], (), prev, use_model=False)
        return said.advice or said.proposal

    def _own_case(self, toks: list[Token], prev: str, *, opens_turn: bool) -> bool:
        """The coachee puts their own case, so a reflection inferred from a bare "je"/"u", a
        statement about the other or an echo does not hold (packs with ``about_them`` and
        ``function_word`` lists; push role-plays cut as the pipeline cuts, see rules/README.md):
        - the turn opens with "maar", after nothing but acknowledgements ("Maar hij komt
          's middags gewoon weer thuis.", "Nee, dat snap ik, maar u redt het eigenlijk niet"):
          it contradicts what the other just said;
        - its first sentence that says something is neither about the other nor their words
          ("Dat is wennen. Na twee weken vind je dat gewoon lekker.", "Het is echt
          vrijblijvend, hoor. U zit nergens aan vast."): the coachee's own view comes first;
        - a sentence gives a reason for a first part that is not about the other ("Dat is
          ideaal, want dan ben je ook fit voor je dienst."): the coachee argues."""
        if not (self.infers_reflections and self.function_words):
            return False
        return ((opens_turn and self._contradicts(toks)) or self._opens_own(toks, prev)
                or self._reasons_own(toks, prev))

    def _contradicts(self, toks: list[Token]) -> bool:
        """Opens with "maar", after parts that say nothing ("Nee, dat snap ik, maar ..."); not
        the particle ("Dan wordt hij maar boos")."""
        i = next((i for i, t in enumerate(toks) if t.text == "maar"), None)
        if i is None or toks[i].p < self.min_p or self._content(toks[:i]):
            return False
        return i == 0 or toks[i].clause_start or toks[i].part_start or toks[i - 1].text in _YES_NO

    def _opens_own(self, toks: list[Token], prev: str) -> bool:
        """Its first sentence with something in it is the coachee's own: not a question, not
        about the other (or about oneself too, unless it opens with them), not the partner's
        words (in its first part or all of it), no reflection opening or "dus"."""
        for a, b in _clause_spans(toks):
            s = toks[a:b]
            said = [w for w in self._content(s) if not _LAUGH.match(w)]
            greeted = {i for m in self._find("greeting", s) + self._find("hesitation", s)
                       for i in range(m.start, m.end)}
            if not said or all(t.text not in said or i in greeted for i, t in enumerate(s)):
                continue  # "Ja.", "Nee, dat snap ik.", "Haha.", "Oké, sorry."
            if toks[a].question or self._inverted(toks, a, b):
                continue  # a question is a move of its own
            if not self._heard(s):
                return False  # inferred from what was heard: all of it must have been heard
            if (any(not self._bare(m) for m in self._find("reflection", s)) or self._find("summary", s)
                    or self._find("their_view", s)):  # "Hulp van buiten voelt als tekortschieten"
                return False
            first = next((t.text for t in s if t.text not in self.fillers and t.text not in self.backchannel), "")
            if first in self.them or self._find("reflection", s, start=True):
                return False  # "Je wilt niet dat ik me ermee bemoei.", "Nee, u hebt gelijk, ik ..."
            if self._find("about_me", s):
                return True  # "Ik geef je een nieuw schema mee."
            if self._find("about_them", s) or any(t.text in self.summary_start for t in s):
                return False
            part = next((i for i in range(1, len(s)) if s[i].part_start), len(s))
            return not (self._echo(s[:part], prev) or self._echo(s, prev))
        return False

    def _echo(self, toks: list[Token], prev: str) -> bool:
        """Most of the words that say something are the partner's ("Twintig uur", "Niet
        weglopen" after "Dat ik niet ben weggelopen"), not denied: "Niet proberen, doen!" after
        "Ik probeer het" corrects them."""
        said = tokens(prev) if prev else []
        mine, theirs = self._content(toks), self._content(said)
        if not mine or not theirs:
            return False
        opener = next((t.text for t in toks if t.text not in self.fillers), "")
        if opener in _NEGATION and not any(t.text in _NEGATION for t in said):
            return False
        return sum(any(_same_word(w, v) for v in theirs) for w in mine) / len(mine) >= ECHO_SHARE

    def _reasons_own(self, toks: list[Token], prev: str) -> bool:
        """A sentence gives a reason ("want", "omdat") for a first part that is not about the
        other: "Dat is ideaal, want dan ben je ook fit voor je dienst."."""
        args = self._find("argument", toks)
        them = self._find("about_them", toks)
        for a, b in _clause_spans(toks):
            first = next((i for i in range(a + 1, b) if toks[i].part_start), b)
            if any(t.text in self.summary_start for t in toks[a:first]) or self._echo(toks[a:first], prev):
                continue  # "Dus de huur schuift ..., omdat eten en stroom voorgaan": their reasons
            if first < b and not any(a <= m.start < first for m in them) and any(
                    first <= m.start < b for m in args):
                return True
        return False

    def _about_them(self, toks: list[Token], question: str | None, telling: bool) -> bool:
        """A statement about the other and not about oneself ("Het schrikt u wel een beetje
        af"): a reflection when it asks, tells and greets nothing. Packs without an
        ``about_them`` list (English: the learned labels decide) never get here."""
        if question or telling or any(t.question for t in toks) or self._find("greeting", toks):
            return False
        if sum(t.p for t in toks) / len(toks) < ABOUT_THEM_MIN_P:  # inferred from what is *not*
            return False  # said, so all of it must have been heard ("Taraast is dat ook je mongelijd")
        if self._find("open_question", toks, start=True):  # "Wat zou je ... antwoorden" without "?"
            return False
        # a reason given for a first part that is not about them is the speaker's own:
        # "Kantoor is belangrijk, want het team heeft je nodig" ("je" only in the reason)
        first = next((i for i in range(1, len(toks)) if toks[i].clause_start or toks[i].part_start), len(toks))
        them = self._find("about_them", toks)
        if not any(m.start < first for m in them) and any(a.start >= first for a in self._find("argument", toks)):
            return False
        return bool(them) and not self._find("about_me", toks)

    def _inverted(self, toks: list[Token], a: int, b: int) -> bool:
        """A clause without "?" that asks by its word order (packs with a ``subject`` list;
        Whisper often writes no "?" in Dutch speech, the word order survives):
        - a question word before a verb: "Wat zou jij doen", "Twee weken verder, hoe is het
          gegaan", "Hoeveel uur werk je daar";
        - a verb before its subject: "Heb je al met haar gepraat", "Zullen we afspreken dat";
        - a tag: "Hoe lang houd je dit vol, denk je".
        Not a condition ("Heb je vragen, bel dan"), a filler ("Weet je, ..."), a polite
        imperative ("Komt u maar verder") or a comparison ("Hoe meer je oefent, hoe ...")."""
        if not self.subjects:
            return False
        i = a
        while i < b and toks[i].text in self.fillers:
            i += 1
        if 2 <= b - i <= 3 and any(m.start == 0 and m.end == b - i and m.end > 1
                                   for m in self._find("closed_question", toks[i:b])):
            return True  # a check on its own: "Klopt dat!" (Whisper's "!" for "?")
        parts = [i] + [k for k in range(i + 1, b) if toks[k].part_start]
        if any(self._asks_after(toks, parts, n, b) for n in range(1, len(parts))):
            return True
        if b - i < 3 or self._find("greeting", toks[i:b], start=True):  # not "wel om" as "welkom"
            return False
        if any(self._asks_what(toks, i, k, b) for k in parts):
            return True
        tag = parts[-1]  # the whole last part is a tag
        tags = self._find("question_tag", toks[tag:b])
        if len(parts) > 1 and any(m.start == 0 and m.end == b - tag for m in tags):
            return True
        if b - i < 4 or toks[i + 1].part_start or toks[i + 2].part_start or toks[i + 2].text == "maar":
            return False
        if len(parts) > 1 and any(t.text == "dan" for t in toks[parts[1]:b]):
            return False  # "Heb je vragen, bel me dan"
        return self._verb_first(toks, i)

    def _verb_first(self, toks: list[Token], i: int) -> bool:
        """A closed form opens at ``i`` with its own last word a subject, or "ik" in a listed
        form ("Heb je ...", "Zullen we ...", "Mag ik ...")."""
        head = self._find("closed_question", toks[i:i + 2])
        return any(m.start == 0 and (toks[i + m.end - 1].text in self.subjects or toks[i + m.end - 1].text in self.me)
                   for m in head)

    def _asks_after(self, toks: list[Token], parts: list[int], n: int, b: int) -> bool:
        """Part ``n`` asks verb first after a first part that is a sentence of its own (its subject
        first or second, not a subordinate clause): Whisper's comma for a full stop ("Dus je wilt niet meer
        komen, ben je er klaar mee"; "Dank je dat je tijd hebt vrijgemaakt, Erik, zullen we
        meteen beginnen"). After a subordinate clause Dutch puts the verb first in a statement
        ("Dus zolang je niemand tot last bent, vind je dat ..."); nor "..., heb je vragen, bel dan"."""
        if not self.subordinators:
            return False
        k = parts[n]
        end = parts[n + 1] if n + 1 < len(parts) else b
        if end - k < 3 or any(t.text == "dan" for t in toks[k:b]) or not self._verb_first(toks, k):
            return False
        if self._find("greeting", toks[k:end]):
            return False
        i = parts[0]
        while i < parts[1] - 1 and toks[i].text in self.fillers:
            i += 1
        first = toks[i:parts[1]]  # its subject first or after its verb: "Je wilt ...", "Dank je dat ..."
        return not any(m.start == 0 for m in self._find("subordinator", first)) and any(
            t.text in self.subjects or t.text in self.me for t in first[:2])

    def _asks_what(self, toks: list[Token], a: int, j: int, b: int) -> bool:
        """A question word at ``j`` followed by a verb (pack list ``question_verb``) or by
        one word and a subject ("Hoe merk je"); "hoe lang / hoeveel ..." asks anyway."""
        if b - j < 3:
            return False
        if any(m.start == 0 and m.phrase.startswith("hoe")
               for m in self._find("closed_question", toks[j:b])):
            return True
        wh = [m for m in self._find("open_question", toks[j:b]) if m.start == 0 and m.end == 1]
        if not wh or sum(t.text == toks[j].text for t in toks[a:b]) > 1:  # "hoe meer ..., hoe ..."
            return False
        nxt, after = toks[j + 1].text, toks[j + 2].text
        return nxt in self.question_verbs or (nxt not in self.subjects and after in self.subjects)

    def _commands(self, toks: list[Token]) -> list[Match]:
        """Imperatives that advise ("Bel de huisarts.", "En probeer het eens een week."): a
        pack ``imperative`` verb opening a clause that does not ask, with no subject after it
        ("Bel je morgen" asks; "Vraag het aan" does not), not for oneself ("Laat me met
        rust"), no comma ("Kijk, ..." only opens), not social talk ("Doe de deur maar dicht")."""
        out = []
        for m in self._find("imperative", toks, start=True):
            a = _clause_start(toks, m.start)
            nxt = toks[m.end] if m.end < len(toks) else None
            if toks[m.start].question or nxt is None or nxt.part_start or nxt.clause_start:
                continue
            b = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
            if nxt.text in self.addressed or nxt.text in self.me or self._find("greeting", toks[a:b]):
                continue  # "Bel je morgen?" asks; "Laat me met rust" asks for oneself
            out.append(m)
        return out

    def _content(self, toks: list[Token]) -> list[str]:
        """The words that say something: not in the pack's ``function_word`` list (nor its
        pronouns and fillers)."""
        return [t.text for t in toks if t.text not in self.function_words and t.text[:1].isalnum()]

    def _heard(self, toks: list[Token]) -> bool:
        return sum(t.p for t in toks) / len(toks) >= ABOUT_THEM_MIN_P

    def _echoes(self, toks: list[Token], question: str | None, telling: bool, prev: str) -> bool:
        """A statement that restates (packs with a ``function_word`` list): one opening with
        a ``summary_start`` word ("Dus de huur schuift steeds naar achteren"), or one whose
        first part is the partner's own words ("Vijf uur.", "Niet gezien.", "Een acht. Wat
        zou er moeten veranderen ...?"): a simple reflection."""
        if not self.function_words or telling or not self._heard(toks):
            return False
        # what a question after it asks is not what it states ("Dus twee kantjes, ... . Zullen
        # we over twee weken bellen?": the "we" is the proposal's)
        stated = toks[:_clause_spans(toks)[1][0]] if question and self._sums_then_asks(toks) else toks
        if self._find("greeting", toks) or self._find("about_me", stated):
            return False
        if toks[0].text in self.summary_start and len(toks) > 2 and (
                not question or self._checks_only(toks) or stated is not toks):
            return True
        if self._find("about_me", toks):
            return False
        end = next((i for i in range(1, len(toks)) if toks[i].clause_start or toks[i].part_start), len(toks))
        if end > ECHO_MAX_WORDS or toks[end - 1].question:
            return False
        return self._echo(toks[:end], prev)

    def _asks_only_pull_moves(self, toks: list[Token]) -> bool:
        """It opens with a proposal or a request for permission and asks nothing else ("How
        about we sit down with Lisa?", "Can I share what I'm seeing?"): a yes or no is asked.
        Not one that comes after a statement: AnnoMI calls four of those open ("... So there are
        some things you could do. Would you be interested in knowing?")."""
        moves = {_clause_start(toks, m.start) for name in ("proposal", "permission")
                 for m in self._find(name, toks, start=True, parts=True) if toks[m.start].question}
        asks = {a for a, _ in _clause_spans(toks) if toks[a].question}
        return 0 in moves and asks <= moves

    def _sums_then_asks(self, toks: list[Token]) -> bool:
        """Its first sentence states and a later one asks ("Dus donderdag koffie met Peter. Hoe
        zeker ben je ...?"): the summary stands, as "Een drie. Hoe komt het ...?" does."""
        spans = _clause_spans(toks)
        a, b = spans[0]
        return len(spans) > 1 and not toks[a].question and not self._inverted(toks, a, b)

    def _checks_only(self, toks: list[Token]) -> bool:
        """Its only questions check what was said ("Dus vooraf plannen. Klopt dat?", also
        heard without its "?")."""
        asks = [toks[max([a] + [k for k in range(a, b) if toks[k].part_start]):b]  # its last part: "..., klopt dat."
                for a, b in _clause_spans(toks) if toks[a].question or self._inverted(toks, a, b)]
        return bool(asks) and all(len(c) <= 3 and {t.text for t in c} <= _CHECK for c in asks)

    def _informs(self, toks: list[Token]) -> bool:
        """A statement of one's own with something in it ("Het was de derde nacht deze week.",
        "Dan regel ik dat deze week."): informing, with no marker word. Not a greeting or a
        thank-you, not an acknowledgement ("Dat begrijp ik", "Prima, dat is goed"), not a
        question. Packs with a ``function_word`` list only."""
        if not self.function_words or not self._heard(toks):
            return False
        for a, b in _clause_spans(toks):
            clause = toks[a:b]
            if toks[a].question or self._inverted(toks, a, b) or self._find("greeting", clause):
                continue
            if len(set(self._content(clause))) >= INFORM_MIN_CONTENT:  # "Heim heim." says one thing
                return True
        return False

    def _echoed(self, toks: list[Token], m: Match, prev: str) -> bool:
        """Does ``m``'s clause repeat the partner's last words ("U moet helemaal niks." after
        "En ik moet helemaal niks.")? Then it mirrors them (packs with a ``function_word`` list):
        the partner said the phrase's verb ("moet", "moeten") and two thirds of the clause's
        other content words."""
        if not self.function_words or not prev:
            return False
        said = tokens(prev)
        verbs = [t.text for t in toks[m.start:m.end] if t.text not in self.subjects and t.text not in self.me
                 and t.text not in self.addressed]
        if not verbs or not all(any(w[:4] == s.text[:4] for s in said) for w in verbs):
            return False
        a = _clause_start(toks, m.start)
        b = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
        mine = set(self._content(toks[a:b])) - {t.text for t in toks[m.start:m.end]}
        theirs = set(self._content(said))
        return bool(mine) and len(mine & theirs) * 3 >= 2 * len(mine)

    def _theirs(self, toks: list[Token], m: Match, views: list[Match], prev: str) -> bool:
        """``m`` is in their view ("Je bent bang dat roken slecht voor je is") or its clause is
        the partner's own words ("Je weet dat het slecht voor je is." after "Ik weet dat roken
        slecht voor me is"): what it tells is theirs (Dutch, for information phrases)."""
        a = _clause_start(toks, m.start)
        b = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
        return _in_view(toks, m, views, frozenset()) or self._echo(toks[a:b], prev)

    def _opens_clause(self, toks: list[Token], i: int) -> bool:
        """Only fillers stand before token ``i`` in its clause."""
        return all(t.text in self.fillers for t in toks[_clause_start(toks, i):i])

    @staticmethod
    def _partner_after(toks: list[Token], m: Match, you: list[Match]) -> bool:
        """A second-person word (``you``: pack list about_them) in the rest of the proposal's sentence."""
        end = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
        return any(m.end <= y.start < end for y in you)

    def _question(self, toks: list[Token]) -> tuple[str | None, int]:
        """Open or closed, clause by clause, and the number of closed-question clauses.

        A clause that ends with "?" is open when it opens (after fillers) with an open form
        ("what", "how", "tell me"), closed when it opens with a yes/no form ("do you", "is
        it") or with neither (a declarative question: "You're coming tomorrow?"). When its
        start is neither, a comma/dash part may still open with an open form ("And your
        wife, what does she say?"). A clause without "?" is open only for an explicit
        request ("Tell me more", "I'm wondering what..."). Every clause counts, not only the
        first: "I see. And what do you think?" is open. Open wins over closed in the same
        utterance (AnnoMI dev: utterances with both are more often annotated open). A
        backchannel tag after another clause ("..., right? Yeah?") is not counted. An open
        form heard below ``min_p`` does not decide the kind, but keeps a question from being
        called closed for its absence."""
        opens = self._search("open_question", toks, start=True)
        at_start = {m.start: m for m in opens if self._sure(m)}
        # an open form Whisper doubted (its first word often: "wat" at p 0.05 was right 48 times
        # in 49), written exactly: the question is then not called closed on the strength of that doubt
        # (not when a closed form goes on from it, as doubted: "Hoe laat was het?", "hoe" at p 0.06)
        longer = {m.start: m.end for m in self._search("closed_question", toks, start=True) if m.exact}
        doubted = {m.start for m in opens if m.exact and longer.get(m.start, 0) <= m.end}
        closed_start = {m.start: m for m in self._find("closed_question", toks, start=True)}
        in_parts = {m.start: m for m in self._find("open_question", toks, start=True, parts=True)}
        closed_parts = {m.start: m for m in self._find("closed_question", toks, start=True, parts=True)}
        # "Waarom ga je niet gewoon ...?" suggests, it does not ask why: closed (and advice)
        suggest = {m.start for m in self._find("advice_question", toks, start=True)}
        # ... also after a comma: Whisper's run-on "..., no exceptions, why don't you put it
        # next to your toothbrush?" asked nothing open
        suggest |= {m.start for m in self._find("advice_question", toks, start=True, parts=True)}
        found: str | None = None
        closed_n = 0
        for a, b in _clause_spans(toks):
            q = toks[a].question or self._inverted(toks, a, b)
            kind: str | None = None
            head = [i for i in range(a, b) if i in at_start or i in closed_start]
            if head:
                o, c = at_start.get(head[0]), closed_start.get(head[0])
                if o is not None and o.end < b and toks[o.end].part_start:
                    # "I'm wondering, have you...?", "What-- do you have...?": the part
                    # after the broken-off or framing opener decides, when it is a question form
                    nxt = _next_part(toks, o.end, b)
                    if nxt in closed_parts and nxt not in in_parts:
                        o, c = None, closed_parts[nxt]
                if o is not None and o.start in suggest:
                    o = None
                if o is not None and (c is None or o.end >= c.end):
                    kind = "open" if q or _explicit_open(o) else None  # "What I hear is..." asks nothing
                elif q:
                    kind = "closed"
            elif q:
                kind = ("open" if any(a <= i < b for i in doubted)
                        or any(a < i < b and i not in suggest for i in in_parts) else "closed")
            elif self.subjects and any(a < i < b and _explicit_open(m) for i, m in in_parts.items()):
                kind = "open"  # "Voordat ik iets vertel, ben ik eigenlijk benieuwd hoe jullie ..." (Dutch)
            if kind == "open":
                return "open", 0
            if kind == "closed":
                found = "closed"
                # "..., at the moment? Yeah?": a tag checks, it does not add a question
                if not (a > 0 and b - a <= 2 and self._only_backchannel(toks[a:b])):
                    closed_n += 1
        return found, closed_n


_LAUGH = re.compile(r"^(?:ha){2,}h?$|^(?:hi){2,}$")  # "Haha.": says nothing of one's own
_NEGATION = frozenset("niet geen nooit niks niets".split())  # an echo that opens denying corrects (Dutch)
_YES_NO = frozenset("ja nee yes yeah no okay ok oke".split())  # what "ja maar" / "yes, but" opens with
_PERFECT = frozenset("been had felt thought gone seen heard wondered found".split())  # "must have been"
_INTENSIFIERS = frozenset("so really pretty very quite absolutely completely totally just a bit kind sort of".split())
_TRIED = frozenset("anything before ever already past".split())  # a suggestion question asks about the past
_CHECK = frozenset("klopt dat het toch of niet ja right is that".split())


def _in_view(toks: list[Token], m: Match, views: list[Match], embedding: frozenset[str]) -> bool:
    """Whether a their_view phrase comes before ``m`` in the same clause, or ``m`` directly
    follows a word of the pack's ``embedding`` list: it then describes a duty, it does not
    impose one ("het zat om dat steeds te moeten uitleggen"); not when ``m`` opens a clause or
    part. English lists only "everything", "anything", "nothing": AnnoMI's low-quality sessions
    say "what you need to do is ..." too (CV AUC 0.955 -> 0.886 with "what")."""
    if m.start > 0 and toks[m.start - 1].text in embedding and not (
            toks[m.start].clause_start or toks[m.start].part_start):  # "... fix anything. You need to"
        return True
    return any(v.end <= m.start and not any(t.clause_start for t in toks[v.end:m.start + 1])
               for v in views)


def _next_part(toks: list[Token], i: int, b: int) -> int:
    """The first word of the part starting at ``i`` (after fillers like "um")."""
    while i < b - 1 and toks[i].text in ("um", "uh", "so", "and", "but", "well", "okay", "en", "dus", "eh"):
        i += 1
    return i


def _clause_spans(toks: list[Token]) -> list[tuple[int, int]]:
    starts = [i for i, t in enumerate(toks) if t.clause_start or i == 0]
    return list(zip(starts, starts[1:] + [len(toks)]))


def _first_question(toks: list[Token]) -> tuple[int, int]:
    """The span of the first clause that is a question; (0, 0) when none is."""
    return next(((a, b) for a, b in _clause_spans(toks) if toks[a].question), (0, 0))


def _explicit_open(m: Match | None) -> bool:
    return m is not None and (m.end - m.start >= 2 or m.phrase.startswith(("vertel", "tell", "describe", "beschrijf", "explain", "leg")))


# English words that say nothing of what a duty is about (for _duty_theirs; a verb's particle
# too: "look after", "turn down"), and the everyday words a partner's people come back in
# ("my kids" -> "your children")
_GLUE = frozenset("""the a an and of to in on at for with by from about it is are was were be been that
this these those there i you me my your we our they them their he she his her so but or as if do does
did have has had just like really very not no don t can will would should could get got go going
gonna um uh yeah yes okay well all every some any more much s re ve ll d m
after down up out off back over around""".split())
_NOT = frozenset("not t no never nothing".split())  # "can't" is "can t"
_NESTS = frozenset("to who that which so".split())  # a clause nested in the duty's own
# after "to", a word that makes it a preposition, not a nested clause: "take her to a care home"
_TO_WHERE = frozenset("a an the my your his her their our its this these those him them me us it".split())
_KIN = {"kids": "children", "kid": "child", "mum": "mother", "mom": "mother", "dad": "father"}


def _duty_theirs(toks: list[Token], m: Match, said: list[Token]) -> bool:
    """The duty's sentence, besides the duty phrase, says back at least as many of the partner's
    words as it brings new ones (``_lemma``: "jobs" / "job", "happening" / "happen"; "kids" /
    "children"): "You have to work late every night.", "You have to provide for your children."
    after "... my kids ...", "It's gonna keep happening that you have to turn down
    opportunities." after "... this is gonna keep happening": their duty, given back. A new duty
    shares none ("say no to your boss"), or fewer than it adds: "You have to find a care home for
    her." after "I have to take care of my mother" shares "care" and adds "find", "home"; or
    its own words before a clause nested in it ("to", "who", "that") share none: "You have to
    find someone to take care of her." wraps their duty in a new one; or they bring a word the
    partner did not say: "You have to take her to a care home to be looked after." (the "to"
    before "a care home" is a preposition, not a nested clause)."""
    a = _clause_start(toks, m.start)
    b = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
    rest = toks[a:m.start] + toks[m.end:b]
    if any(t.text in _NOT for t in rest) and not any(t.text in _NOT for t in said):
        return False  # "You have to tell them you can't work late." turns their words round
    mine = {_lemma(t.text) for t in rest if t.text not in _GLUE}
    theirs = {_lemma(t.text) for t in said if t.text not in _GLUE}
    k = next((i for i in range(m.end, b) if toks[i].text in _NESTS and not (
        toks[i].text == "to" and i + 1 < b and toks[i + 1].text in _TO_WHERE)), b)
    head = {_lemma(t.text) for t in toks[m.end:k] if t.text not in _GLUE}
    if k < b and head - theirs:
        return False  # "You have to find someone to take care of her.": a new duty around theirs
    shared = len(mine & theirs)
    return shared > 0 and shared >= len(mine) - shared


def _gives_back(toks: list[Token], m: Match, prev: str) -> bool:
    """Most of the words of ``m``'s clause that say something are the partner's (``_lemma``;
    English, as ``_duty_theirs``): "Smoking will kill you." after "I know smoking will kill me"."""
    a = _clause_start(toks, m.start)
    b = next((i for i in range(m.end, len(toks)) if toks[i].clause_start), len(toks))
    mine = [_lemma(t.text) for t in toks[a:b] if t.text not in _GLUE]
    theirs = {_lemma(t.text) for t in tokens(prev) if t.text not in _GLUE} if prev else set()
    return bool(mine) and sum(w in theirs for w in mine) / len(mine) >= ECHO_SHARE


def _lemma(word: str) -> str:
    """A rough English lemma: the everyday word for one's people (``_KIN``), an inflection off
    ("-ing", "-ed", "-es", "-s") and a final "e": "caring" / "cares" / "care" are one, "carer" and
    "career" are not."""
    w = _KIN.get(word, word)
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


def _without_tail(toks: list[Token]) -> list[Token]:
    """The tokens without made-up last clauses (mean p below ``TAIL_MAX_P``), keeping the first."""
    while True:
        a = _clause_start(toks, len(toks) - 1) if toks else 0
        if a == 0 or sum(t.p for t in toks[a:]) / (len(toks) - a) >= TAIL_MAX_P:
            return toks
        toks = toks[:a]


def _first_clause(toks: list[Token], m: Match, carried: bool) -> bool:
    """``m`` is in the piece's first clause, which goes on with the turn's open sentence."""
    return carried and not any(t.clause_start for t in toks[1:m.start + 1])


def _reflected_before(toks: list[Token], marks: list[Match], i: int, turned: bool = False) -> bool:
    """One of the reflection openings ``marks`` stands before token ``i`` in its sentence; with
    ``turned``, not before a "but" that stands before ``i`` ("..., but you should cut down")."""
    start = _clause_start(toks, i)
    return any(start <= r.start and r.end <= i and not (
        turned and any(t.text == "but" for t in toks[r.end:i])) for r in marks)


def _clause_start(toks: list[Token], i: int) -> int:
    while i > 0 and not toks[i].clause_start:
        i -= 1
    return i


def _covered(matches: list[Match], n: int) -> bool:
    return sum(m.end - m.start for m in matches) == n


def _same_word(a: str, b: str) -> bool:
    """The same word, or one sharing its first four letters with the other ("werkend" /
    "werkte", "minuten" / "minuut")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b[:4]) or b.startswith(a[:4])))


def _words(m: Match) -> int:
    return sum(1 for w in m.phrase.split() if w != "...")
