"""The matcher's quality target, on header sets of real exports that have no preset here.

At least 95% of columns land on the right field, no identifier column lands on a wrong field,
no other column lands on a key, and a column with no canonical field stays unmapped. The
corpus (``tests/mapping/corpus/*.toml``) holds header sets documented by each tool, with
made-up sample values; see its files for the sources.

A label is the field a column must land on (``""``: none). Where the documentation allows two
readings that are both right, the label is a list of the acceptable fields, the preferred one
first: Informat's ``stamnr`` and ``persoonId`` are both stable ids of the pupil, so
``"stamnr" = ["student.student_number", "student.key"]``. Used sparingly, each with a comment
in its file that says why.
"""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import edukoppel as ek
from edukoppel.mapping import ColumnMapping

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.toml"))
TARGET_ACCURACY = 0.95
CORPUS_FLOOR = 0.99  # a ratchet: 99.7% (332 of 333 columns) in session 20, 99.4% (331) from
# session 25 on (Clever's bare "Title" of job titles: most files' is a form of address)


# Header sets gathered by people who had seen neither the catalogue nor the corpus above (see
# each file's source). Floors are ratchets against regressions, not the target. Sets 1 to 7
# are tuning sets: their misses were read and turned into rules for classes of header
# (test_header_families.py), never an alias per missed column; so are 8 and 9 from session 22
# on, 10 and 11 from session 22's round 4 on, 12 and 13 from session 23's round 5 on, 14
# from session 24's round 6 on, and 15, 16 and 17 from session 25's round 7 on (a set's
# gains from each later round are in its comment).
# Blind sets (BLIND) are measured by the lead on a branch and never read.
@attrs.frozen
class HeldOut:
    """A held-out set: its folder, the floor its accuracy must stay above, its header sets."""

    name: str
    floor: float  # a ratchet against regressions, not the target
    sets: int  # at least this many header sets

    @property
    def paths(self) -> list[Path]:
        return sorted((Path(__file__).parent / self.name).glob("*.toml"))


HELDOUT_SETS = [
    # Set 1: US and UK rostering templates, a German and a Dutch tool. 93.7% in session 20
    # (86.9% before session 19's rules, 93.3% after them); 96.8% (244 of 252) after session 21's
    # (German words, call names, qualified ties); 97.2% (245) after session 22's; 98.8% (249)
    # after session 23's round 5 (a German parent's word).
    HeldOut("heldout", floor=0.98, sets=30),
    # Set 2: Dutch, Flemish and English layouts; never tuned on until session 20. 86.6% when it
    # was still blind, 95.0% (113 of 119 columns) after session 20's rules, the same after 21's;
    # 95.8% (114) after session 23's round 5.
    HeldOut("heldout2", floor=0.95, sets=14),
    # Set 3: Flemish (Informat, Smartschool, LeerID) and US layouts. 76.1% when it landed
    # blind (77.0% after the label review), 95.0% (211 of 222) after session 20's rules, 95.5%
    # (212) after session 21's; 95.9% (213) after session 23's round 5.
    HeldOut("heldout3", floor=0.95, sets=13),
    # Set 4: gathered in session 20 by someone who saw no edukoppel file (EduArte, DUO's open
    # data, a Flemish laptop register, NHS Mavis, VCAA, Renaissance, Amplify, Aspen, Koha, MNS
    # Pro: real CSV and template headers mostly). On arrival, blind, after session 20's rules:
    # 79.9% of 318 columns in 16 sets. On landing the lead dropped one set (Ouderavond reads a
    # Magister export, which has a preset) and wrote its guardian and class labels the way sets
    # 1-3 do: 86.6% of 305; its one key mistake (a US state id taking the key beside the
    # district's `local_id`) fixed with the LASID/SASID words of US state reporting: 87.2%. A
    # tuning set from session 21 on: 96.1% (293 of 305) after that session's rules; 96.4%
    # (294) after session 23's round 5.
    HeldOut("heldout4", floor=0.96, sets=15),
    # Set 5: gathered at the end of session 20 (WISA, Ziber, Planaday, Toets.nl, Hachette,
    # Hodder, CEM, Share911, Sokrates, RubricKing, Portfolium: templates and sample files).
    # 81.4% of 167 columns on arrival, blind; 82.0% after the lead reviewed one label (WISA's
    # stamboeknummer, a stable id of the pupil as Informat's stamnr is). A tuning set from
    # session 21 on: 91.0% (152 of 167) after that session's rules; 93.4% (156) after session
    # 23's round 5 (family words with values, a related kind's key).
    HeldOut("heldout5", floor=0.93, sets=15),
    # Set 6: gathered in session 21 from German-speaking tools (MAGELLAN, IBIS, SchoolExpert,
    # WinSchool, sPlan, edoo.sys, ASV, LUSD, Lan.FX, UCS@school, itslearning, Schulportal Hessen,
    # BBS-Verwaltung, Bujus, ...; 20 of the sets from Stüber's Magellan toolbox docs) and Dutch
    # ones (ParnasSys, Basispoort and Raet through public connectors): 38
    # sets, 859 columns. On arrival, blind, on main after session 21's first rules: 85.2% (732)
    # right, 8 columns (0.9%) on a wrong field, 2 key mistakes, 3 no-field columns mapped.
    # 85.4% (734) after the label review (Bujus' birth year, two class teachers as mentors,
    # Raet's roostercode); 93.6% (804), 2 wrong fields and no key mistake after session 21's
    # second rules (German guardian words, German and Swedish vocabulary, key ranks); 93.8%
    # (806) with German gender codes. A tuning set from then on. 96.3% (827) after session 22's
    # rules (glued and cut-short names, parents' words, id qualifiers, class words, ...), the
    # same after its round 4; 96.5% (829) once dates written YYYYMMDD are read (session 23),
    # 97.2% (835) after session 23's round 5.
    HeldOut("heldout6", floor=0.97, sets=38),
    # Set 7: gathered in session 21 from English-language and Swedish tools (NWEA, WIDA, GIAP,
    # PowerSchool for PrimeroEdge, Edusight, SIMON, FastBridge, MEFS, Big Universe, eSpark,
    # PrimaryLeap, No More Marking, Unikum, Elevspel, ...): 29 sets, 381 columns. On arrival,
    # blind: 87.9% (335) right, 11 (2.9%) on a wrong field, 4 key mistakes, 4 no-field columns
    # mapped. 88.7% (338) after the label review (WIDA's district id is the key, PowerSchool's
    # guardian work phone no field), 2 key mistakes left; 93.2% (355), 3 wrong fields and no
    # key mistake after session 21's second rules. A tuning set from then on. 93.7% (357)
    # after session 22's; 94.0% (358) after its round 4 (misspelt call names); 95.5% (364)
    # after session 23's round 5.
    HeldOut("heldout7", floor=0.95, sets=29),
    # Set 8: blind, gathered at the end of session 21 from German-speaking tools (SVWS-Import,
    # WebUntis, SchILD-NRW, IServ, SchulIT, LOGINEO NRW, Elaisa, Escola, LabSoft, diklabu) and
    # one Dutch (OCLC Wise schoolWise): 17 sets, 221 columns. On arrival, on main after session
    # 21's second rules: 84.2% (186) right, 6 (2.7%) on a wrong field, 1 key mistake, 4 no-field
    # columns mapped. Its key mistake and wrong fields were read (the safety checks), its
    # unmapped misses not. LOGINEO's own id beside the source system's are both stable ids of
    # the account, and SVWS' Amtsbezeichnung is the function set 6 labels it: the labels accept
    # either (85.1%, 188; 4 wrong fields, 1.8%). A tuning set from session 22 on: 88.2% (195),
    # 4 wrong fields and no key mistake after that session's rules; 91.0% (201) after session
    # 23's round 5 (role words, family words with values, another system's id).
    HeldOut("heldout8", floor=0.91, sets=17),
    # Set 9: blind, gathered at the end of session 21 from English-language tools (iSAMS,
    # Compass, SportsTrak, Blackbaud, Brightspace, Purple Mash, SchoolMint Hero, d6+, Grado,
    # 5-Star Students, 7 Mindsets, ...) and French, Norwegian and Swedish ones (c2i-annu, WIS
    # Skole, Skola24): 21 sets, 270 columns. On arrival: 82.2% (222) right, 5 (1.9%) on a wrong
    # field, no key mistake, 4 no-field columns mapped. A tuning set from session 22 on: 88.1%
    # (238), 5 wrong fields, no key mistake after that session's rules; 88.5% (239), 4 wrong
    # fields, after its label review (5-Star's Counselor may be the mentor, as Aspen's in set 4).
    # 89.6% (242) after the lead's review of national identity numbers (Skola24's Personnummer:
    # no field, as the SSN and bsn_nummer of sets 5 to 7). 92.2% (249), 3 wrong fields, after
    # session 22's round 4 (Nordic and French school words, national identity numbers, role
    # names); 92.6% (250) with session 23's gender codes of more languages, 94.1% (254) after
    # that session's round 5.
    HeldOut("heldout9", floor=0.94, sets=21),
    # Set 10: blind, gathered in session 22 from French (ScoDoc, Gepi, SACoche, Zeus/ProEco),
    # Nordic (VOKAL, Bibsyst, Lin Education, UTV, Skoltavlan, a Finnish university export),
    # German and Austrian (linuxmuster.net, EntE, HPI Schul-Cloud, SchoolFox), Italian (Nuvola)
    # and Argentine (Educativa) tools; the gatherer found no Dutch or Flemish tool not yet
    # covered: 20 sets, 188 columns, about half real header rows. On arrival, on main after
    # session 21's rules: 59.0% (111) right; after session 22's (round 3, tuned on sets 8 and 9):
    # 72.3% (136), 2 wrong fields, 1 key mistake (Lin Education's Personnummer on the pupil's
    # number). Its key mistake and wrong fields were read, its unmapped misses not: a national
    # identity number is no field (ARCHITECTURE: BSN and such numbers are opt-in), so the
    # review made the three of them no field (73.4%, 138; 2 wrong fields, no key mistake).
    # A tuning set from session 22's round 4 on: 86.7% (163), 1 wrong field, no key mistake
    # after that round's rules (French, Nordic, Italian, Spanish and Finnish school words);
    # 88.3% (166) with session 23's gender codes of more languages (jente, G, M./MME), 91.5%
    # (172) after that session's round 5 (exact headers over unfamiliar codes).
    HeldOut("heldout10", floor=0.94, sets=20),
    # Set 11: blind, gathered in session 22 from English-language tools (Gibbon, Bromcom, Infinite
    # Campus, Seesaw, Scoir, ESGI, KidsLoop, Kolibri, Chamilo, School Stream, SIMS via Scomis,
    # SMART Response, ...) and one Spanish (EducaMadrid): 25 sets, 313 columns, all real header
    # rows or templates. On arrival, on main after session 21's rules: 83.4% (261); after
    # session 22's: 84.3% (264) right, 5 (1.6%) on a wrong field, no key mistake, 4 no-field
    # columns mapped (Gibbon's). A tuning set from session 22's round 4 on: 91.7% (287), 2
    # wrong fields, no key mistake after that round's rules (misspelt call names, a number
    # glued inside camelCase, "user" before a field, a word in brackets after a field, role
    # names). 93.6% (293) after session 23's round 5.
    HeldOut("heldout11", floor=0.93, sets=25),
    # Set 12: blind, gathered in session 22 from English-language tools (Aptem, ASCENDER,
    # CENTURY, Cognassist, DreamBox, Free Flow Info, IRIS ParentMail and IRIS Connect, Lexia
    # Core5, LiveSchool, MMARS, mySatori, PICS, Reading Plus, ReadyRule, Sparx Maths, ...)
    # and two French (BASE ELEVES, laclasse): 21 sets, 259 columns. On arrival, on main after
    # session 22's round-3 rules: 84.6%; after round 4's: 84.9% (220) right, 7 (2.7%) on a
    # wrong field, 1 key mistake (Sparx's MIS/External ID, the file's only id, on the pupil's
    # number), 2 no-field columns mapped. Not landed then. Its key mistake and wrong fields
    # were read in session 23, its unmapped misses not: the only pupil number of a file with
    # no key is its key (85.3%, 221; 6 wrong fields); Aptem's cohort and Free Flow Info's
    # class_name (one row per class) accept the homeroom too, as set 5's and 11's do (86.1%,
    # 223; 4 wrong fields, 1.5%; no key mistake). With the gender codes of more languages,
    # laclasse's civilite (M., Mme) mapped to the gender: as set 10 labels Gepi's, so now does
    # its label; 86.5% (224) once dates written YYYYMMDD are read (ASCENDER's). A tuning set
    # from session 23's round 5 on, after a label review (LiveSchool's section, "Class section
    # or homeroom", may be either): 92.3% (239), 4 wrong fields, no key mistake after that
    # round's rules.
    HeldOut("heldout12", floor=0.92, sets=21),
    # Set 13: blind, gathered in session 22 (with set 12, see above) from Dutch
    # and Flemish files in public repositories (a mentor app's own template, a diploma list,
    # a school app, a college list, a course administration, a pupil follow-up script; found
    # by the search index, which names no repository: each file gives the index's id), and
    # Spanish (Atenea, Santillana), Colombian, Swedish (Lexplore), French (idruide), German
    # (OPAL), Ukrainian (Prosvita) and Japanese (GAKU) tools: 16 sets, 140 columns after two
    # were dropped (a Finnish export from the same file as one of set 10's; LehrerOffice's
    # export is Microsoft 365's layout, which the corpus covers). On arrival, on main after
    # session 22's round-3 rules: 82.1% (115); after round 4's: 85.7% (120) right, 2 (1.4%)
    # on a wrong field, no key mistake, 1 no-field column mapped. A tuning set from session
    # 23's round 5 on, after a label review (Atenea's mother is guardian 1 and its father
    # guardian 2, as the other sets number them): 92.9% (130), 2 wrong fields, no key mistake.
    HeldOut("heldout13", floor=0.94, sets=16),
    # Set 14: blind, gathered in session 23 from English-language tools (Project Success,
    # ReachMyTeach, Touchline REACH, Smarter Balanced, Fedena, Eduqfix, Forall Rubrics,
    # Synergetic, Invoke, PerfectPass, EnterNOW, PTC Wizard, Scholastico, Hapara, ...) and
    # Spanish, Colombian and Brazilian ones (APPetece, Kampus, Edools): 28 sets, 291 columns,
    # nearly all templates or real header rows. On arrival, on main before session 23's round
    # 5: 89.3% (260) right, 5 (1.7%) on a wrong field, 1 key mistake (Eduqfix's Student User
    # Id, the file's only id, labelled the username); after round 5: 90.7% (264). Its key
    # mistake and wrong fields were read, its unmapped misses not: the only id is the key
    # either way (ek.read keys on the username when no column is), PerfectPass' ClassName
    # (one row per class) accepts the homeroom, and Touchline's first and preferred names are
    # labelled as the other sets label them: 92.1% (268), 1 wrong field (0.3%; PerfectPass'
    # Location, the class's room), no key mistake (90.7% on the code before round 5). A tuning
    # set from session 24's round 6 on: 92.8% (270) with that round's vocabulary of the
    # languages of Europe (Curso, First Attendance), 94.2% (274), 1 wrong field, no key
    # mistake after its rules for set 14's misses (a table's name after a pipe, a primary key
    # and a local id of any kind, Indian English joining dates and positions).
    HeldOut("heldout14", floor=0.94, sets=28),
    # Set 15: blind, gathered in session 23 from Dutch and Flemish files in public repositories
    # (DaCapo, GroepenMaken, a groepsindeling, a klas-indeler, Scalda's pasimo, Scolpanos, a
    # codeercursus klaslijst, a studentenlijst export) and other European ones (diNo, ETH's
    # Echo, F-teXpress, FTM's CPURC import, BSc, marconicc, Pix Orga, iSchool, a Czech and a
    # Polish school platform): 19 sets, 160 columns after the lead dropped five (four club or
    # scouting member exports, not school files; one file set 13 already has). Weaker sources
    # than the other sets': 8 of 24 are index ids with no repository name. On arrival, before
    # and after session 23's round 5: 77.5% (124) right, 7 (4.4%) on a wrong field, 1 key
    # mistake; 78.8% once Scolpanos' mother is guardian 1, as the other sets number them. Its
    # key mistake and wrong fields were read in session 24, its unmapped misses not: a bare
    # name with no first name beside it is a full name (F-teXpress's Nom, a klaslijst's Naam
    # ouder), single letters are no class (BSc's section): 80.6%; FTM's personal number, the
    # job centre's, may be the key or the pupil's number (a number from outside the school):
    # 81.2% (130), 3 wrong fields (1.9%: iSchool's post-nom under "surname" beside last_name,
    # Scolpanos' Klas5 and Klas6, links to uploaded reports), no key mistake. Still blind
    # after session 24's round 6 (the core words of Europe's languages, written without
    # reading it): 84.4% (135), 3 wrong fields, no key mistake. A tuning set from session 25's
    # round 7 on (its unmapped misses read): 89.4% (143), 3 wrong fields, no key mistake (a
    # file's only bare Nummer is its key, ID Étudiant, a parent's contact of phone numbers,
    # Identifiant unique, Zweig, Papiamento's Fecha di nacemento).
    HeldOut("heldout15", floor=0.89, sets=19),
    # Set 16: blind, gathered in session 24 with a brief asking for attributable sources
    # (a product's own help page or template, or a school's real integration): Dutch (DUO's
    # BRON mbo and PO staff record layouts and its BRIN vestiging, Schoolgesprek), Polish
    # (ALG24, SIO, a technical school's user import), German (Sdui, lernlog, Edumaps),
    # Slovak (EduPage), Czech (Bakaláři), Spanish (Séneca), French (PRONOTE), Hungarian
    # (KRÉTA), Italian (Spaggiari) and Finnish (Primus) tools: 19 sets, 198 columns, 16 of
    # them real file headers. On arrival, on main after session 24's rules above (made on set
    # 15, before this set came in): 77.3% (153) right, 3 (1.5%) on a wrong field, no key
    # mistake. Its wrong fields were read, its unmapped misses not: lernlog's Externe ID may be
    # the pupil's number, as set 6 labels Schüler Online's KeyExtern: 77.8% (154), 2 wrong
    # fields (1.0%: DUO's Leerweg on the programme beside a Gevolgde opleiding left unmapped,
    # Primus' Grupp/Klass on the groups, not the homeroom). After session 24's round 6 (the
    # core words of Europe's languages): 84.3% (167), 2 wrong fields, no key mistake. Round 6
    # once made a key mistake here; the helper found its cause from the count alone by
    # turning its Polish pupil-number words off (register numbers 1, 2, 3 are no key): a
    # little feedback from a blind set. A tuning set from session 25's round 7 on: 94.4% (187),
    # no wrong field, no key mistake (Séneca's numbered tutors, Primus' Tilltalsnamn and
    # Grupp/Klass, DUO's Gevolgde opleiding and dates, Sdui's Accounttyp, KRÉTA's guardians).
    HeldOut("heldout16", floor=0.94, sets=19),
    # Set 17: blind, gathered in session 24 from English-language tools' own help pages and
    # templates, and from schools' integration scripts that name the export they read
    # (Achieve3000, Veracross, EdVal, Linewize Classwize, NYC DOE ATS/STARS, Skyward,
    # MySchool, Doodle, Wavio, Type to Learn, Educake, ClassroomParent, Jamf SIS Importer,
    # EarlyTree, brightwheel, Parent, Visitor Aware): 19 sets, 159 columns, all real file
    # headers; the gatherer found no attributable Dutch or Flemish file. On arrival, on main
    # after session 24's first rules (before round 6): 82.4% (131) right, 5 (3.1%) on a
    # wrong field, 1 key mistake (NYC's registration GUID beside the pupil's StudentID). Its
    # key mistake and wrong fields were read, its unmapped misses not: a bare GUID beside an
    # id that names the row's kind ties with it, and single characters are no class (EdVal's
    # class line); three files of one row per pupil and class, or one group slot, accept the
    # homeroom too, as set 11's Seesaw and set 12's class_name do: 84.9% (135), no wrong
    # field, no key mistake; the same after round 6. A tuning set from session 25's round 7
    # on: 90.6% (144), no wrong field, no key mistake (EarlyTree's SecondParent columns and
    # InternalCode, Veracross' and MySchool's School Level of school names, Skyward's Other ID).
    HeldOut("heldout17", floor=0.90, sets=19),
    # Set 18: blind, gathered in session 25 from English-language and non-European tools' own
    # help pages and templates (Reading Cloud, ManageBac, Education Perfect, ADInstruments Lt,
    # Boardingware, Transportant, eSchoolData, Enriching Students, TutorCruncher, Hubbli,
    # Exercode, Toddle, Xello, Literably, Learning Ladders) and a school's own export (Friends
    # School of Minnesota): 18 sets, 153 columns, all real file headers. On arrival, on main
    # after session 25's round 7: 90.2% (138) right, 4 (2.6%) on a wrong field, no key
    # mistake. Its wrong fields were read, its unmapped misses not: ManageBac's legal First
    # Name beside a Preferred Name, Education Perfect's class of one row per user and class,
    # accept the readings the other sets give them: 92.2% (141), 1 wrong field (Transportant's
    # "emails", every address linked to the pupil, on the pupil's e-mail).
    HeldOut("heldout18", floor=0.92, sets=18),
    # Set 19: blind, gathered in session 25 from Flemish (Hoepel), German (BBS-Planung,
    # LogoDIDACT, aula), French (Edulib, csv2spip), Spanish (Innovamat, Rayuela), Turkish
    # (e-Okul, DynEd), Swedish (Digiexam) and Norwegian files: 14 sets, 89 columns; the
    # gatherer found no unused Dutch file with real column headers. On arrival, on main after
    # round 7: 85.4% (76) right, 2 (2.2%) on a wrong field, 1 key mistake (LogoDIDACT's
    # UserID, the generated login and the file's only id, on the key). Its key mistake and
    # wrong fields were read: a file with no id column is keyed on its logins, so the key is
    # acceptable there: 86.5% (77), 1 wrong field (csv2spip's groupe of PROFS/ELEVES on the
    # groups, not the role), no key mistake.
    HeldOut("heldout19", floor=0.86, sets=14),
    # Set 20: blind, School Online's Flemish pupil import layout (one file, 361 columns, from
    # the gatherer of set 19), kept apart so that it does not drown set 19's figure. On
    # arrival: 93.9% (339), 10 (2.8%) on a wrong field, no key mistake; its wrong fields were
    # read: beside the roepnaam the voornaam is the given names, and the mother is guardian 1
    # as in the other sets: 96.1% (347), 2 wrong fields (the parents' tel taken for the phone
    # where the gatherer took the gsm).
    HeldOut("heldout20", floor=0.96, sets=1),
]
# Blind sets, measured by the lead and never tuned on: a failing test on one says how many,
# never which columns, so that reading a failure cannot tune the catalogue on it.
BLIND: tuple[str, ...] = ("heldout18", "heldout19", "heldout20")


@attrs.frozen
class Outcome:
    tool: str
    column: str
    expected: str | None
    got: str | None
    acceptable: tuple[str | None, ...] = ()

    @property
    def right(self) -> bool:
        """Whether the column landed on its field, or on another its label accepts."""
        return self.got == self.expected or self.got in self.acceptable


def _label(target: str | list[str]) -> tuple[str | None, ...]:
    """A label's acceptable fields, the preferred first (``""`` is none)."""
    return tuple(item or None for item in ([target] if isinstance(target, str) else target))


def _cycle(samples: list[str] | None, index: int) -> str:
    """The sample values of a column, repeated to fill the rows ("" for a column without)."""
    return samples[index % len(samples)] if samples else ""


def _map(path: Path) -> tuple[ColumnMapping, dict[str, tuple[str | None, ...]]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    columns: dict[str, str | list[str]] = data["columns"]
    values: dict[str, list[str]] = data.get("values", {})
    depth = max([len(v) for v in values.values()] + [1])
    rows = [[_cycle(values.get(column), index) for column in columns] for index in range(depth)]
    table = ek.Table.from_rows(list(columns), rows, file=path.name)
    mapping = ek.match_columns(table, entity=data.get("entity", "student"), preset=False)
    expected = {
        name: _label(target)
        for name, target in zip(table.unique_columns, columns.values(), strict=True)
    }
    return mapping, expected


def outcomes(corpus: list[Path] = CORPUS) -> list[Outcome]:
    found = []
    for path in corpus:
        mapping, expected = _map(path)
        for match in mapping:
            preferred, *others = expected[match.column]
            found.append(Outcome(path.stem, match.column, preferred, match.target, tuple(others)))
    return found


def accuracy(results: list[Outcome]) -> float:
    return sum(r.right for r in results) / len(results)


def test_the_corpus_is_mapped_well_enough() -> None:
    results = outcomes()
    assert len(CORPUS) >= 20
    misses = [r for r in results if not r.right]
    share = accuracy(results)
    listing = "\n".join(
        f"  {r.tool}: {r.column!r} expected {r.expected}, got {r.got}" for r in misses
    )
    assert share >= max(TARGET_ACCURACY, CORPUS_FLOOR), (
        f"{share:.1%} of {len(results)} columns right:\n{listing}"
    )


@pytest.mark.parametrize(
    ("name", "corpus"),
    [("corpus", CORPUS), *((held.name, held.paths) for held in HELDOUT_SETS)],
    ids=["corpus", *(held.name for held in HELDOUT_SETS)],
)
def test_no_identifier_column_lands_on_a_wrong_field_and_no_other_on_a_key(
    name: str, corpus: list[Path]
) -> None:
    if not corpus:
        pytest.skip(f"no header sets in {name}/")
    wrong = [
        r
        for r in outcomes(corpus)
        if not r.right
        and (
            (r.expected and r.expected.endswith(".key") and r.got is not None)
            or (r.got and r.got.endswith(".key"))
        )
    ]
    if name in BLIND:
        count = len(wrong)
        assert count == 0, f"{count} key mistakes in {name}/"
    else:
        assert wrong == []


@pytest.mark.parametrize(
    ("name", "corpus", "floor", "size"),
    [(held.name, held.paths, held.floor, held.sets) for held in HELDOUT_SETS],
    ids=[held.name for held in HELDOUT_SETS],
)
def test_the_heldout_header_sets_stay_above_their_floor(
    name: str, corpus: list[Path], floor: float, size: int
) -> None:
    results = outcomes(corpus)
    assert len(corpus) >= size
    share = accuracy(results)
    wrong = [r for r in results if r.got is not None and not r.right]
    count, allowed = len(wrong), len(results) * 0.02
    assert share >= floor, f"{name}: {share:.1%}, floor {floor:.0%}"
    # A wrong mapping is worse than none: at most 2% of the columns land on a wrong field.
    if name in BLIND:
        assert count <= allowed, f"{count} columns of {name}/ on a wrong field"
    else:
        assert count <= allowed, wrong


def test_the_tuning_sets_together_reach_the_target() -> None:
    """Every held-out set that is no longer blind, together: the issue's 95% of the columns."""
    results = [
        outcome
        for held in HELDOUT_SETS
        if held.name not in BLIND
        for outcome in outcomes(held.paths)
    ]
    assert accuracy(results) >= TARGET_ACCURACY, f"{accuracy(results):.1%} of {len(results)}"


def test_columns_without_a_canonical_field_stay_unmapped() -> None:
    mapped = [r for r in outcomes() if r.expected is None and not r.right]
    assert mapped == []


_HEADER_SETS = [
    path for path in CORPUS if len(tomllib.loads(path.read_text("utf-8"))["columns"]) >= 4
]


@given(
    path=st.sampled_from(_HEADER_SETS),
    order=st.randoms(use_true_random=False),
    case=st.sampled_from(["lower", "upper", "same"]),
    accent=st.booleans(),
)
def test_a_known_header_set_maps_the_same_in_any_order_case_or_accents(
    path: Path, order: random.Random, case: str, accent: bool
) -> None:
    """Any permutation, case change or accent change of a known header set maps the same."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    expected_mapping, _ = _map(path)
    names = list(data["columns"])
    if len(set(names)) != len(names) or any(name != name.strip() for name in names):
        return
    values: dict[str, list[str]] = data.get("values", {})
    shuffled = names[:]
    order.shuffle(shuffled)

    def changed(name: str) -> str:
        name = {"lower": name.lower(), "upper": name.upper()}.get(case, name)
        return name.replace("e", "é").replace("E", "É") if accent else name

    renamed = {changed(name): name for name in shuffled}
    if len(renamed) != len(shuffled):
        return
    depth = max([len(v) for v in values.values()] + [1])
    rows = [
        [_cycle(values.get(renamed[column]), index) for column in renamed] for index in range(depth)
    ]
    table = ek.Table.from_rows(list(renamed), rows, file=path.name)
    mapping = ek.match_columns(table, entity=data.get("entity", "student"), preset=False)
    expected = {m.column: m.target for m in expected_mapping}
    assert {renamed[m.column]: m.target for m in mapping} == {
        name: expected[name] for name in shuffled
    }
