"""The council workbook's own words, in Dutch and English: sheet names, headings, notes, the
columns of its tables, and the open-data credits. The domain's words (phases, statuses, field
names, tests) are the one vocabulary's (:mod:`core.vocabulary`).
"""

from __future__ import annotations

LANGS = ("nl", "en")

#: The columns of the Samenvatting and of a phase sheet: names of the vocabulary's fields.
SUMMARY_FIELDS = ("phase", "id", "objective", "owner", "partners", "indicator", "unit", "area",
                  "area_code", "baseline", "baseline_period", "target", "deadline", "current",
                  "period", "symbol", "status", "chance", "reason", "cutoff")
DETAIL_FIELDS = ("id", "objective", "area", "area_code", "period", "kind", "value", "ci_low",
                 "ci_high", "numerator", "denominator", "n", "n_eff", "baseline", "target")

T = {
    "nl": {
        "summary": "Samenvatting", "areas": "Wijken", "method": "Methode", "sources": "Bronnen",
        "report": "stand van zaken voor de gemeenteraad",
        "version": "Planversie {v}, goedgekeurd door {by} op {on}",
        "not_approved": "Planversie {v} (nog niet goedgekeurd)",
        "as_of": "Cijfers tot {d}", "internal": "Interne versie: bevat kleine aantallen, niet "
        "publiceren.", "public": "Publieke versie: x = niet getoond (klein aantal of ter "
        "bescherming van een klein aantal); zie het blad Methode.",
        "legend": "Status (symbool en tekst)",
        "kind": "Soort", "n": "n",
        "chart_cols": ["grafiek: waarde", "grafiek: basiswaarde", "grafiek: doel"],
        "area_cols": ["Indicator", "Indicator-id", "Eenheid", "Gebied", "Gebiedscode", "Niveau"],
        "total": "Totaal", "total_years": "Jaren in totaal",
        "city": "stad", "wijk": "wijk", "unassigned": "niet aan een wijk toegewezen",
        "unassigned_level": "rest",
        "areas_note": "Per wijk en kalenderjaar (volledige jaren; bij een bevraging de golven). "
        "Aantallen, tarieven en sommen tellen op tot de stad; het totaal loopt over de getoonde "
        "jaren (een tarief: opgeteld aantal gedeeld door opgetelde bevolking).",
        "method_cols": ["Id", "Titel", "Eenheid", "Bron", "Meting", "Definitie", "Noemer",
                        "Filters", "Beter", "Periode", "Toets (ruismodel)", "Minimum n",
                        "Statusregel", "Onderdrukking (publiek)"],
        "status_rules": "Statusregels: de eerste regel die geldt",
        "objective_method": "Methode per doelstelling, in gewone woorden (zoals op de pagina "
        "van de doelstelling)",
        "objective_method_cols": ["Id", "Gebied", "Status", "Methode"],
        "suppression_rules": "Onderdrukking van kleine aantallen (publieke versie)",
        "thresholds": "Drempels: aantal {c} (IVM_PUBLIC_MIN_COUNT), effectieve n {n} "
        "(IVM_PUBLIC_MIN_NEFF).",
        "load_cols": ["Lading", "Soort", "Profiel", "Bestand", "Uitkomst", "Rijen gelezen",
                      "Geladen", "Vervangen", "Overgeslagen", "In quarantaine", "Afsluitdatum",
                      "Geladen op"],
        "cov_title": "Dekking per bron (zoals gebruikt voor deze cijfers)",
        "cov_cols": ["Bron", "Omschrijving", "Eerste dag", "Afsluitdatum", "Rijen"],
        "plan_title": "Plan",
        "plan_cols": ["Planversie", "Titel", "Goedgekeurd op", "Goedgekeurd door",
                      "Doelstellingen"],
        "credits_title": "Open data en bronvermelding",
        "credits_cols": ["Gegevens", "Bronvermelding", "Licentie", "Gebruikt in dit magazijn"],
        "yes": "ja", "no": "nee",
        "reason_hidden": "reden niet getoond: berust op een klein aantal (zie Methode)",
        "rule_count": "aantallen 1-{m} niet getoond, met aanvullende onderdrukking",
        "rule_neff": "niet getoond bij (effectieve) n onder {n}",
        "rule_none": "altijd getoond (geregistreerde prestaties, niet over personen)",
        "status_rule": "onvoldoende gegevens onder n = {n}; toets: {t}",
        "status_rule_count": "een klein aantal is geen gebrek aan gegevens; toets: {t}",
        "doc_title": "Veiligheidsplan: stand van zaken voor de gemeenteraad",
        "no_filters": "geen",
        "no_minimum": "geen minimum n; toets: {t}",
        "filter_in": "{col} is {values}", "filter_not_in": "{col} is niet {values}",
        "filter_event": "alleen de dagen van gebeurtenis {e}", "filter_question": "vraag {q}",
        "filter_counts": "telt de antwoorden {a}", "or": " of ",
    },
    "en": {
        "summary": "Summary", "areas": "Neighbourhoods", "method": "Method",
        "sources": "Sources", "report": "progress report to the city council",
        "version": "Plan version {v}, approved by {by} on {on}",
        "not_approved": "Plan version {v} (not yet approved)",
        "as_of": "Figures up to {d}", "internal": "Internal version: contains small numbers, "
        "do not publish.", "public": "Public version: x = not shown (a small number, or "
        "protecting a small number); see the Method sheet.",
        "legend": "Status (symbol and text)",
        "kind": "Kind", "n": "n",
        "chart_cols": ["chart: value", "chart: baseline", "chart: target"],
        "area_cols": ["Indicator", "Indicator id", "Unit", "Area", "Area code", "Level"],
        "total": "Total", "total_years": "Years in total",
        "city": "city", "wijk": "neighbourhood", "unassigned": "not assigned to a neighbourhood",
        "unassigned_level": "rest",
        "areas_note": "Per neighbourhood and calendar year (complete years; for a survey "
        "its waves). Counts, rates and sums add up to the city; the total runs over the years "
        "shown (a rate: summed count over summed population).",
        "method_cols": ["Id", "Title", "Unit", "Source", "Measure", "Definition",
                        "Denominator", "Filters", "Better", "Period", "Test (noise model)",
                        "Minimum n", "Status rule", "Suppression (public)"],
        "status_rules": "Status rules: the first rule that applies",
        "objective_method": "Method per objective, in plain words (as on the objective's page)",
        "objective_method_cols": ["Id", "Area", "Status", "Method"],
        "suppression_rules": "Suppression of small numbers (public version)",
        "thresholds": "Thresholds: count {c} (IVM_PUBLIC_MIN_COUNT), effective n {n} "
        "(IVM_PUBLIC_MIN_NEFF).",
        "load_cols": ["Load", "Kind", "Profile", "File", "Outcome", "Rows read", "Loaded",
                      "Replaced", "Skipped", "Quarantined", "Cut-off date", "Loaded at"],
        "cov_title": "Coverage per source (as used for these figures)",
        "cov_cols": ["Source", "Description", "First day", "Cut-off date", "Rows"],
        "plan_title": "Plan",
        "plan_cols": ["Plan version", "Title", "Approved on", "Approved by", "Objectives"],
        "credits_title": "Open data and credits",
        "credits_cols": ["Data", "Credit", "Licence", "Used in this warehouse"],
        "yes": "yes", "no": "no",
        "reason_hidden": "reason not shown: it rests on a small number (see Method)",
        "rule_count": "counts 1-{m} not shown, with complementary suppression",
        "rule_neff": "not shown when the (effective) n is below {n}",
        "rule_none": "always shown (registered outputs, not about persons)",
        "status_rule": "insufficient data below n = {n}; test: {t}",
        "status_rule_count": "a small count is not insufficient data; test: {t}",
        "doc_title": "Safety plan: progress report to the city council",
        "no_filters": "none",
        "no_minimum": "no minimum n; test: {t}",
        "filter_in": "{col} is {values}", "filter_not_in": "{col} is not {values}",
        "filter_event": "only the days of event {e}", "filter_question": "question {q}",
        "filter_counts": "counts the answers {a}", "or": " or ",
    },
}

#: The open data a warehouse may hold (its folder, what it holds in Dutch and in English), with
#: the credit and licence its publisher asks for, quoted in the publisher's words (README).
CREDITS = [
    ("be-aalst-areas", {"nl": "Wijken", "en": "Neighbourhoods"},
     "Wijken voor omgevingsanalyse. © gemeentebesturen, verzameld door Data & Analyse van de "
     "Vlaamse provincies (https://github.com/provinciesincijfers/gebiedsniveaus/blob/master/"
     "gemeente_statsec_wijken/readme.md)", "Modellicentie Gratis Hergebruik v1.0"),
    ("be-aalst-areas", {"nl": "Statistische sectoren, deelgemeenten, gemeenten",
                        "en": "Statistical sectors, former municipalities, municipalities"},
     "Bron: Statbel (statistische sectoren); bewerking: Data & Analyse van de Vlaamse "
     "provincies", "Statbel open data (CC BY 4.0)"),
    ("be-statbel-bevolking", {"nl": "Bevolking", "en": "Population"},
     "Bron: Statbel (Algemene Directie Statistiek – Statistics Belgium), bevolking op "
     "1 januari 2020", "CC BY 4.0"),
    ("uk-police-lancashire", {"nl": "Lancashire: incidenten, wards, bevolking per ward",
                              "en": "Lancashire incidents, wards, ward population"},
     "Contains public sector information licensed under the Open Government Licence v3.0 "
     "(police.uk, Home Office). Source: Office for National Statistics licensed under the Open "
     "Government Licence v.3.0. Contains OS data © Crown copyright and database right 2022. "
     "Extracts prepared in the crimemappingdata package by Matt Ashby.", "OGL v3.0"),
]
CREDITS_NOTE = {"nl": "De uitgevers onderschrijven dit product niet.",
                "en": "The publishers do not endorse this product."}
