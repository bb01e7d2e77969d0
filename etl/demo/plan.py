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
     "onveiligheidsgevoel", "preventiedienst", ["politiezone", "sociale-dienst"],
     "unsafe_feeling_share", [CITY], {"change": -0.2}),
    ("PREV-07", "Ten Rozen: minder onveiligheidsgevoel", "Ten Rozen: less feeling of insecurity",
     "LIVP", "preventie", "onveiligheidsgevoel", "preventiedienst",
     ["jeugdwerk", "huisvestingsmaatschappij"], "unsafe_feeling_share", [TEN_ROZEN_WIJK],
     {"change": -0.25}),
    ("PREV-08", "Minder meldingen van sluikstort en zwerfvuil",
     "Fewer reports of illegal dumping and litter", "LIVP", "preventie", "overlast",
     "GAS-ambtenaar", ["openbare-netheid"], "nuisance_litter_reports", [CITY], {"change": -0.2}),
    ("PREV-09", "Minder geluidsoverlast", "Less noise nuisance", "LIVP", "preventie", "overlast",
     "GAS-ambtenaar", ["politiezone"], "nuisance_noise_reports", [CITY], {"change": -0.1}),
    ("PREV-10", "Minder drugsoverlast in de binnenstad", "Less drug nuisance in the centre",
     "both", "preventie", "overlast", "politiezone", ["preventiedienst", "sociale-dienst"],
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
     "GAS-ambtenaar", ["openbare-netheid"], "nuisance_close_days_median", [CITY], {"value": 10}),
    ("REA-03", "Minder geweld in de openbare ruimte in het centrum",
     "Less violence in public space in the centre", "ZVP", "reactie", "criminaliteit",
     "politiezone", [], "violence_public_space_count", [CENTRE], {"change": -0.15}),
    ("REA-04", "Minder drugsfeiten", "Fewer drug offences", "ZVP", "reactie", "criminaliteit",
     "politiezone", ["preventiedienst"], "drugs_count", [CITY], {"change": -0.1}),
    ("REA-05", "Minder verkeersongevallen met letsels",
     "Fewer traffic accidents with injuries", "ZVP", "reactie", "andere", "politiezone",
     ["mobiliteitsdienst"], "traffic_injury_accidents_count", [CITY], {"change": -0.2}),
    ("NAZ-01", "Meer doorverwijzingen naar slachtofferhulp",
     "More referrals to victim support", "both", "nazorg", "criminaliteit", "sociale-dienst",
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
     "sociale-dienst", ["politiezone", "CAW"], "intra_family_violence_count", [CITY],
     {"change": 0.1}),
]


#: Yearly intermediate targets (streefwaarden): (years before the deadline's year, change).
MILESTONES = {"PREV-11": [(3, -0.05), (1, -0.10)]}

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
        if oid in MILESTONES:
            objectives[-1]["milestones"] = [{"year": deadline.year - back, "change": change}
                                            for back, change in MILESTONES[oid]]
    start = dt.date(baseline_year + 1, 1, 1)
    return {
        "spec": 1,
        "plan": {
            "version": f"LIVP-{baseline_year + 1}-{deadline.year}-v1",
            "title": f"Lokaal integraal veiligheidsplan {baseline_year + 1}-{deadline.year}",
            "approved_on": dt.date(baseline_year, 12, 15).isoformat(),
            "approved_by": "gemeenteraad",
            "reporting": {"frequency": "quarter", "start": start.isoformat(),
                          "deadline_days": DEADLINE_DAYS,
                          "council_dates": [d.isoformat() for d in council_dates(start,
                                                                                  deadline)]},
        },
        "objectives": objectives,
        "actions": actions(city, start, deadline),
    }


#: Owners' updates are due this many days before the council meeting.
DEADLINE_DAYS = 14
#: The objective whose target the revised plan (v2) changes, and its new target.
REVISED = ("PREV-01", {"change": -0.25})


def third_monday(year: int, month: int) -> dt.date:
    """The third Monday of a month (the demo council meets then)."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7 + 14)


def council_dates(start: dt.date, deadline: dt.date) -> list[dt.date]:
    """The council meetings that receive a quarter's report: the third Monday of the third
    month after each quarter, from the plan's start to a year after its deadline."""
    out = []
    quarter = dt.date(start.year, (start.month - 1) // 3 * 3 + 1, 1)
    while quarter <= deadline:
        month = quarter.month + 5  # the quarter's last month + 3
        out.append(third_monday(quarter.year + (month - 1) // 12, (month - 1) % 12 + 1))
        month = quarter.month + 3
        quarter = dt.date(quarter.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return out


def revision_date(city: City) -> dt.date:
    """When the council approved the revised plan (v2): its last meeting before the data end."""
    plan = plan_document(city)
    dates = [dt.date.fromisoformat(d) for d in plan["plan"]["reporting"]["council_dates"]]
    return max(d for d in dates if d <= city.end)


def _months(day: dt.date, n: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


# id, objective, nl, en, owner, (start, due) in months from the data's end month, the state it
# starts in, outputs. The demo's history (etl/demo/steering.py) moves them on; at the end every
# state shows, and two ongoing actions are past their due date.
_ACTIONS = [
    ("A-PRO-01-1", "PRO-01", "Veiligheidsscreening opnemen in de vergunningsprocedure",
     "Safety screening built into the permit procedure", "stedenbouw", (-60, -48), "planned",
     ["permit_screenings"]),
    ("A-PRO-02-1", "PRO-02", "Buurtpreventienetwerk Ten Rozen opstarten",
     "Start a neighbourhood watch in Ten Rozen", "preventiedienst", (-40, -28), "planned",
     ["techno_prevention_visits"]),
    ("A-PRO-02-2", "PRO-02", "Verlichting en zichtlijnen in Ten Rozen verbeteren",
     "Better lighting and sight lines in Ten Rozen", "stedenbouw", (-10, 8), "planned", []),
    ("A-PRO-03-1", "PRO-03", "Inbraakwerend hang- en sluitwerk in 200 sociale woningen",
     "Burglary-proof locks in 200 social homes", "huisvestingsmaatschappij", (-20, -2),
     "planned", ["techno_prevention_visits"]),
    ("A-PREP-01-1", "PREP-01", "Oefenkalender van het noodplan", "Emergency-plan exercise "
     "calendar", "brandweerzone", (-60, 14), "planned", ["emergency_exercises"]),
    ("A-PREP-02-1", "PREP-02", "Carnavalsplan met extra patrouilles in de binnenstad",
     "Carnival plan with extra patrols in the centre", "politiezone", (-14, -8), "planned",
     ["patrol_hours"]),
    ("A-PREV-01-1", "PREV-01", "Inbraakpreventiecampagne in de donkere maanden",
     "Burglary prevention campaign in the dark months", "preventiedienst", (-24, 12),
     "planned", ["techno_prevention_visits"]),
    ("A-PREV-01-2", "PREV-01", "Gerichte patrouilles in inbraakgevoelige wijken",
     "Targeted patrols in burglary-prone neighbourhoods", "politiezone", (-18, 12), "planned",
     ["patrol_hours"]),
    ("A-PREV-01-3", "PREV-01", "Inbraakpreventie-app voor de buurtinformatienetwerken",
     "Burglary prevention app for the neighbourhood information networks", "preventiedienst",
     (-6, 6), "planned", []),
    ("A-PREV-03-1", "PREV-03", "Gratis technopreventief advies aan huis",
     "Free techno-preventive advice at home", "preventiedienst", (-48, 14), "planned",
     ["techno_prevention_visits"]),
    ("A-PREV-04-1", "PREV-04", "Straathoekwerk in Ten Rozen uitbreiden",
     "More street work in Ten Rozen", "jeugdwerk", (-30, 6), "planned",
     ["youth_work_contacts"]),
    ("A-PREV-05-1", "PREV-05", "Campagne tegen gauwdiefstal op markt en kermis",
     "Campaign against pickpocketing at the market and the fair", "politiezone", (3, 9),
     "planned", ["patrol_hours"]),
    ("A-PREV-08-1", "PREV-08", "Camera's op sluikstortplekken", "Cameras at dumping spots",
     "GAS-ambtenaar", (-16, -4), "planned", []),
    ("A-PREV-08-2", "PREV-08", "Extra ophaalrondes en GAS-controles",
     "Extra collection rounds and fine checks", "openbare-netheid", (-12, -1), "planned", []),
    ("A-PREV-10-1", "PREV-10", "Drugsoverleg met CAW, sociale dienst en politie",
     "Drug consultation with welfare, social services and police", "politiezone", (-20, 10),
     "planned", []),
    ("A-REA-01-1", "REA-01", "Dispatching herzien voor prioriteit 1",
     "Review dispatching for priority 1", "politiezone", (2, 14), "planned", []),
    ("A-NAZ-01-1", "NAZ-01", "Vaste doorverwijsprocedure naar slachtofferhulp",
     "A fixed referral procedure to victim support", "sociale-dienst", (-36, -24), "planned",
     ["victim_support_referrals"]),
]


def actions(city: City, start: dt.date, deadline: dt.date) -> list[dict]:
    """The demo plan's actions, dated around the data's end."""
    out = []
    anchor = dt.date(city.end.year, city.end.month, 1)
    for ident, objective, nl, en, owner, (begin, due), state, outputs in _ACTIONS:
        first = max(start, _months(anchor, begin))
        end = min(deadline, _months(anchor, due) - dt.timedelta(days=1))
        out.append({"id": ident, "objective": objective, "title": {"nl": nl, "en": en},
                    "owner": owner, "start": first.isoformat(),
                    "due": max(end, first).isoformat(), "state": state,
                    "outputs": outputs})
    return out


def revised_document(city: City) -> dict:
    """The revised plan (v2): approved at the council's last meeting before the data end, with
    one target changed (:data:`REVISED`); everything else as in v1."""
    doc = plan_document(city)
    doc["plan"]["version"] = doc["plan"]["version"].rsplit("-v", 1)[0] + "-v2"
    doc["plan"]["title"] += " (herziening)"
    doc["plan"]["approved_on"] = revision_date(city).isoformat()
    for o in doc["objectives"]:
        if o["id"] == REVISED[0]:
            o["target"] = dict(REVISED[1])
    return doc


def _write(doc: dict, path: Path) -> int:
    text = "# Demo plan, generated by ivm demo (etl/demo/plan.py).\n" + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(text, encoding="utf-8")
    return len(doc["objectives"])


def write_plan(city: City, path: Path) -> int:
    """Write the demo plan YAML; return the number of objectives."""
    return _write(plan_document(city), path)


def write_revised_plan(city: City, path: Path) -> int:
    """Write the revised demo plan (v2) YAML; return the number of objectives."""
    return _write(revised_document(city), path)
