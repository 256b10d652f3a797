"""A small field catalogue for the matcher's own tests (the shipped one grows on its own)."""

from __future__ import annotations

import pytest

from edukoppel.mapping._catalogue import Catalogue

SMALL = """
[student.key]
type = "identifier"
required = true
aliases = ["Leerlingnummer", "Stamnummer", "lln.nr", "Student ID", "stamnr"]

[student.first_name]
type = "name"
aliases = ["Roepnaam", "Voornaam", "First name"]

[student.infix]
type = "name"
aliases = ["Tussenvoegsel", "Tussenv", "Voorvoegsel", "Prefix"]

[student.last_name]
type = "name"
required = true
aliases = ["Achternaam", "Last name", "Surname"]

[student.email]
type = "email"
aliases = ["E-mailadres", "Email", "E-mail leerling"]
avoid = ["toestemming", "consent", "ouder", "verzorger"]

[student.username]
type = "username"
aliases = ["Gebruikersnaam", "Username", "Login"]

[student.homeroom]
type = "group"
aliases = ["Klas", "Stamgroep", "Class"]

[student.groups]
type = "groups"
multi = true
aliases = ["Lesgroep", "Cluster"]

[student.birth_date]
type = "date"
aliases = ["Geboortedatum", "Date of birth", "Birth date"]

[student.gender]
type = "gender"
aliases = ["Geslacht", "Gender"]

[guardian.email]
type = "email"
aliases = ["E-mailadres ouder", "E-mail verzorger", "E-mailadres ouder/verzorger"]

[guardian.last_name]
type = "name"
aliases = ["Achternaam ouder", "Naam verzorger"]

[staff.key]
type = "identifier"
required = true
aliases = ["Medewerkernummer", "Personeelsnummer"]

[staff.last_name]
type = "name"
required = true
aliases = ["Achternaam"]
"""


@pytest.fixture
def small() -> Catalogue:
    return Catalogue.from_toml(SMALL)
