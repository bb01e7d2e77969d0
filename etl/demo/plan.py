"""The demo plan: about 25 SMART objectives of an integral safety plan over the five phases of
the safety chain and the three dimensions, owned by the city's partners.

The plan runs from a baseline year (the fourth year of the demo data) to a deadline one year
after the data ends, approved by the council at the end of the baseline year. Indicator ids
refer to the indicator catalogue (``indicators/catalog/<id>.yaml``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from etl.demo.city import PROJECT_CODE, City
from etl.demo.survey import wave_years

CITY = "41002"
CENTRE = "41002W01"
TEN_ROZEN_WIJK = "41002W07"
#: The wijk with the smallest survey sample (20 a wave): too few for a reliable share.
SMALL_WIJK = "41002W04"

# id, nl, en, plan, phase, dimension, owner, partners, indicator, areas, target
_OBJECTIVES = [
    ("PRO-01", "Veiligheidsscreening van elke grote bouwaanvraag",
     "Safety screening of every major building permit", "LIVP", "proactie", "criminaliteit",
     "preventiedienst", ["stedenbouw", "politiezone"], "permit_screenings", [CITY],
     {"change": 0.5}),
    ("PRO-02", "Ten Rozen: minder woninginbraken door het wijkproject",
     "Ten Rozen: fewer residential burglaries through the neighbourhood project", "both",
     "proactie", "criminaliteit", "preventiedienst",
     ["politiezone", "huisvestingsmaatschappij", "jeugdwerk"], "residential_burglary_count",
     [PROJECT_CODE], {"change": -0.3}),
    ("PRO-03", "Inbraakwerende renovatie van sociale woningen",
     "Burglary-proof renovation of social housing", "LIVP", "proactie", "criminaliteit",
     "huisvestingsmaatschappij", ["preventiedienst"], "techno_prevention_visits",
     [PROJECT_CODE], {"change": 1.0}),
    ("PREP-01", "Elk jaar minstens drie oefeningen van het noodplan",
     "At least three emergency-plan exercises a year", "LIVP", "preparatie", "andere",
     "brandweerzone", ["politiezone", "noodplanning"], "emergency_exercises", [CITY],
     {"value": 3}),
    ("PREP-02", "Carnaval: geen toename van geweld in het centrum",
     "Carnival: no rise of violence in the centre", "both", "preparatie", "criminaliteit",
     "politiezone", ["preventiedienst", "evenementen"], "carnival_violence_count", [CENTRE],
     {"change": -0.1}),
    ("PREV-01", "Minder woninginbraken per 1.000 huishoudens",
     "Fewer residential burglaries per 1,000 households", "both", "preventie", "criminaliteit",
     "politiezone", ["preventiedienst"], "residential_burglary_rate", [CITY], {"change": -0.35}),
    ("PREV-02", "Minder fietsdiefstallen", "Fewer bicycle thefts", "ZVP", "preventie",
     "criminaliteit", "politiezone", ["preventiedienst"], "bicycle_theft_count", [CITY],
     {"change": -0.1}),
    ("PREV-03", "Meer technopreventieve adviezen", "More techno-preventive advice visits",
     "LIVP", "preventie", "criminaliteit", "preventiedienst", ["politiezone"],
     "techno_prevention_visits", [CITY], {"change": 0.5}),
    ("PREV-04", "Meer jeugdwerkcontacten in Ten Rozen", "More youth-work contacts in Ten Rozen",
     "LIVP", "preventie", "overlast", "jeugdwerk", ["preventiedienst"], "youth_work_contacts",
     [PROJECT_CODE], {"change": 0.4}),
    ("PREV-05", "Minder gauwdiefstallen in de binnenstad", "Fewer pickpocketings in the centre",
     "ZVP", "preventie", "criminaliteit", "politiezone", ["preventiedienst"],
     "pickpocketing_count", [CENTRE], {"change": -0.2}),
    ("PREV-06", "Minder inwoners die zich vaak onveilig voelen in hun buurt",
     "Fewer residents often feeling unsafe in their neighbourhood", "LIVP", "preventie",
     "onveiligheidsgevoel", "preventiedienst", ["politiezone", "sociale dienst"],
     "unsafe_feeling_share", [CITY], {"change": -0.2}),
    ("PREV-07", "Ten Rozen: minder onveiligheidsgevoel", "Ten Rozen: less feeling of insecurity",
     "LIVP", "preventie", "onveiligheidsgevoel", "preventiedienst",
     ["jeugdwerk", "huisvestingsmaatschappij"], "unsafe_feeling_share", [TEN_ROZEN_WIJK],
     {"change": -0.25}),
    ("PREV-08", "Minder meldingen van sluikstort en zwerfvuil",
     "Fewer reports of illegal dumping and litter", "LIVP", "preventie", "overlast",
     "GAS-ambtenaar", ["openbare netheid"], "nuisance_litter_reports", [CITY], {"change": -0.2}),
    ("PREV-09", "Minder geluidsoverlast", "Less noise nuisance", "LIVP", "preventie", "overlast",
     "GAS-ambtenaar", ["politiezone"], "nuisance_noise_reports", [CITY], {"change": -0.1}),
    ("PREV-10", "Minder drugsoverlast in de binnenstad", "Less drug nuisance in the centre",
     "both", "preventie", "overlast", "politiezone", ["preventiedienst", "sociale dienst"],
     "nuisance_drug_reports", [CENTRE], {"change": -0.15}),
    ("PREV-11", "Minder vandalisme en graffiti", "Less vandalism and graffiti", "LIVP",
     "preventie", "overlast", "GAS-ambtenaar", ["politiezone"], "vandalism_count", [CITY],
     {"change": -0.15}),
    ("PREV-12", "Linkeroever-oost: minder inwoners die 's avonds plaatsen vermijden",
     "Linkeroever east: fewer residents avoiding places at night", "LIVP", "preventie",
     "onveiligheidsgevoel", "preventiedienst", ["wijkwerking"], "avoid_places_share",
     [SMALL_WIJK], {"change": -0.2}),
    ("REA-01", "Prioriteit 1: 90 % binnen 15 minuten ter plaatse",
     "Priority 1: 90 % on site within 15 minutes", "ZVP", "reactie", "criminaliteit",
     "politiezone", [], "p1_within_15min_share", [CITY], {"value": 0.9}),
    ("REA-02", "Overlastmeldingen binnen 10 dagen afgehandeld (mediaan)",
     "Nuisance reports closed within 10 days (median)", "LIVP", "reactie", "overlast",
     "GAS-ambtenaar", ["openbare netheid"], "nuisance_close_days_median", [CITY], {"value": 10}),
    ("REA-03", "Minder geweld in de openbare ruimte in het centrum",
     "Less violence in public space in the centre", "ZVP", "reactie", "criminaliteit",
     "politiezone", [], "violence_public_space_count", [CENTRE], {"change": -0.15}),
    ("REA-04", "Minder drugsfeiten", "Fewer drug offences", "ZVP", "reactie", "criminaliteit",
     "politiezone", ["preventiedienst"], "drugs_count", [CITY], {"change": -0.1}),
    ("REA-05", "Minder verkeersongevallen met letsels",
     "Fewer traffic accidents with injuries", "ZVP", "reactie", "andere", "politiezone",
     ["mobiliteitsdienst"], "traffic_injury_accidents_count", [CITY], {"change": -0.2}),
    ("NAZ-01", "Meer doorverwijzingen naar slachtofferhulp",
     "More referrals to victim support", "both", "nazorg", "criminaliteit", "sociale dienst",
     ["politiezone"], "victim_support_referrals", [CITY], {"change": 0.3}),
    ("NAZ-02", "Meer GAS-boetes bij sluikstort", "More administrative fines for illegal dumping",
     "LIVP", "nazorg", "overlast", "GAS-ambtenaar", ["politiezone"], "gas_fine_share_litter",
     [CITY], {"value": 0.25}),
    ("NAZ-03", "Tevredenheid over contact met de politie minstens 3,8 op 5",
     "Satisfaction with police contact at least 3.8 out of 5", "ZVP", "nazorg",
     "onveiligheidsgevoel", "politiezone", [], "police_satisfaction_mean", [CITY],
     {"value": 3.8}),
    ("NAZ-04", "Minder slachtofferschap (bevraging)", "Less victimisation (survey)", "LIVP",
     "nazorg", "criminaliteit", "preventiedienst", ["politiezone"], "victimisation_share",
     [CITY], {"change": -0.1}),
    ("NAZ-05", "Intrafamiliaal geweld: meer aangiftes en opvolging",
     "Intra-family violence: more reports and follow-up", "both", "nazorg", "criminaliteit",
     "sociale dienst", ["politiezone", "CAW"], "intra_family_violence_count", [CITY],
     {"change": 0.1}),
]


#: Indicators measured by the resident survey: their baseline is the last wave before the plan.
SURVEY_INDICATORS = {"unsafe_feeling_share", "victimisation_share", "police_satisfaction_mean",
                     "avoid_places_share"}


def plan_document(city: City) -> dict:
    """The plan as a mapping in the plan file format (``spec: 1``)."""
    baseline_year = city.start.year + 3
    deadline = dt.date(city.end.year + 1, 12, 31)
    survey_baseline = max(y for y in wave_years(city) if y <= baseline_year)
    objectives = []
    # the places of Aalst's plan, as the demo city has them
    place = {CITY: city.code, CENTRE: city.centre_wijk, TEN_ROZEN_WIJK: city.project_wijk,
             SMALL_WIJK: city.small_wijk, PROJECT_CODE: city.project_code}
    project_name = "Ten Rozen" if city.code == CITY else city.wijken.get(city.project_wijk,
                                                                         city.project_wijk)
    for oid, nl, en, plan, phase, dim, owner, partners, indicator, areas, target in _OBJECTIVES:
        areas = list(dict.fromkeys(place.get(a, a) for a in areas))
        nl, en = nl.replace("Ten Rozen", project_name), en.replace("Ten Rozen", project_name)
        # survey: the last wave before the plan; counts: the mean of three years, which
        # halves the noise a single baseline year would carry (docs/methods.md)
        period = (str(survey_baseline) if indicator in SURVEY_INDICATORS
                  else f"{baseline_year - 2}-{baseline_year}")
        objectives.append(
            {
                "id": oid,
                "title": {"nl": nl, "en": en},
                "plan": plan,
                "phase": phase,
                "dimension": dim,
                "owner": owner,
                "partners": partners,
                "indicator": indicator,
                "areas": areas,
                "baseline": {"period": period, "value": "from_data"},
                "target": target,
                "deadline": deadline.isoformat(),
            }
        )
    return {
        "spec": 1,
        "plan": {
            "version": f"LIVP-{baseline_year + 1}-{deadline.year}-v1",
            "title": f"Lokaal integraal veiligheidsplan {baseline_year + 1}-{deadline.year}",
            "approved_on": dt.date(baseline_year, 12, 15).isoformat(),
            "approved_by": "gemeenteraad",
        },
        "objectives": objectives,
    }


def write_plan(city: City, path: Path) -> int:
    """Write the demo plan YAML; return the number of objectives."""
    doc = plan_document(city)
    text = "# Demo plan, generated by ivm demo (etl/demo/plan.py).\n" + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(text, encoding="utf-8")
    return len(doc["objectives"])
