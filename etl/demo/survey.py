"""Demo resident survey of the federal "Veiligheidsmonitor" kind: one row per respondent.

Format (``veiligheidsmonitor.csv``; UTF-8, ';'-separated, decimal comma, profile
``be-veiligheidsmonitor``)::

    respondent;meting;wijkcode;gewicht;leeftijdsgroep;q_onveilig_buurt;q_vermijden;
    q_probleem_inbraak;q_probleem_verkeer;q_probleem_sluikstort;q_probleem_jongeren;
    q_probleem_drugs;q_slachtoffer_12m;q_contact_politie;q_tevreden_politie

- ``respondent``: id, unique over all waves (``VM2017-00001``); ``meting``: the wave (its year);
- ``wijkcode``: the respondent's wijk (the survey is representative at wijk level);
- ``gewicht``: post-stratification weight by wijk and age group (population / sample share;
  mean 1 per wave), four decimals; ``leeftijdsgroep``: 18-34, 35-49, 50-64 or 65+.

Answer codes (an empty cell is no answer: about 1 % per problem question):

- ``q_onveilig_buurt``: how often do you feel unsafe in your own neighbourhood?
  1 nooit, 2 zelden, 3 soms, 4 vaak, 5 altijd;
- ``q_vermijden``: do you avoid certain places in your municipality at night? ja / nee;
- ``q_probleem_{inbraak,verkeer,sluikstort,jongeren,drugs}``: is burglary / traffic (speeding,
  parking) / illegal dumping / loitering youths / drugs a problem in your neighbourhood?
  1 helemaal geen probleem, 2 eerder geen probleem, 3 eerder wel een probleem, 4 groot probleem;
- ``q_slachtoffer_12m``: victim of a crime in the last 12 months? ja / nee;
- ``q_contact_politie``: contact with the local police in the last 12 months? ja / nee;
- ``q_tevreden_politie``: satisfaction with that contact, 1 zeer ontevreden, 2 ontevreden,
  3 neutraal, 4 tevreden, 5 zeer tevreden; empty when there was no contact.

Model (ordered probit): a respondent's insecurity is the log of the wijk's incident level (the
weight-weighted mean ``risk`` of its sectors), an age effect (65+ more, 18-34 less), having been
a victim, a small fixed wijk effect, a small wave effect common to the city (noise) and a
normal error; answers are cut from it and from their own errors. In Ten Rozen's wijk, insecurity
and the youth, drug and dumping problems ease from the wave after the project start on (the
project effect, full six years in). About 8-15 % of the city feels unsafe 'vaak' or 'altijd',
roughly twice as many in the centre wijken.

Waves: four, in the years ``start+1``, ``start+4``, ``start+7`` and the last year whose
fieldwork (spring) lies within the data (the end year, or the year before when the data ends
before June). Sample per wijk and wave: about 1,000 in all, in proportion to the adult
population, at least 20 and at most 120 per wijk; Ten Rozen's wijk always has 120 (the city's
booster sample to follow the project).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from etl.demo.city import City

HEADER = ["respondent", "meting", "wijkcode", "gewicht", "leeftijdsgroep"]
QUESTIONS = [
    "q_onveilig_buurt",
    "q_vermijden",
    "q_probleem_inbraak",
    "q_probleem_verkeer",
    "q_probleem_sluikstort",
    "q_probleem_jongeren",
    "q_probleem_drugs",
    "q_slachtoffer_12m",
    "q_contact_politie",
    "q_tevreden_politie",
]
AGE_GROUPS = ("18-34", "35-49", "50-64", "65+")
#: Respondents per wave (target, before the booster) and per wijk (bounds).
SAMPLE, MIN_WIJK, MAX_WIJK = 950, 20, 120
ADULT_SHARE = 0.79
#: Adult age structure: the centre is younger.
_AGE_CENTRE = np.array([0.34, 0.26, 0.21, 0.19])
_AGE_PERIPHERY = np.array([0.24, 0.24, 0.27, 0.25])
#: Relative response rate per age group (the young answer less often).
_RESPONSE = np.array([0.70, 0.90, 1.10, 1.25])
_AGE_INSECURITY = np.array([-0.10, 0.0, 0.05, 0.20])
_AGE_VICTIM = np.array([1.30, 1.10, 0.90, 0.70])
_AGE_AVOID = np.array([-0.20, 0.0, 0.15, 0.45])
#: Cuts of the insecurity scale into 1 nooit .. 5 altijd.
_UNSAFE_CUTS = np.array([-0.2, 0.6, 1.45, 2.1])
#: Cuts of a problem scale into 1 helemaal geen .. 4 groot probleem.
_PROBLEM_CUTS = np.array([0.0, 0.9, 1.8])
_SATISFACTION_CUTS = np.array([-1.6, -0.9, -0.1, 1.3])
#: Problem: (base level, slope on log wijk incident level, project-wijk level, project effect).
_PROBLEMS = {
    "q_probleem_inbraak": (0.45, 0.30, 0.0, -0.10),
    "q_probleem_verkeer": (1.00, -0.10, 0.0, 0.0),
    "q_probleem_sluikstort": (0.30, 0.50, 0.15, -0.25),
    "q_probleem_jongeren": (-0.15, 0.70, 0.35, -0.45),
    "q_probleem_drugs": (-0.45, 0.90, 0.20, -0.25),
}
#: Insecurity: slope on log incident level, extra in the project wijk, full project effect.
_RISK_SLOPE, _PROJECT_LEVEL, _PROJECT_EFFECT, _PROJECT_YEARS = 0.6, 0.15, -0.45, 6
_NO_ANSWER = 0.01


def wave_years(city: City) -> list[int]:
    """The survey years: start+1, start+4, start+7 and the last year with spring fieldwork."""
    last = city.end.year if city.end.month >= 6 else city.end.year - 1
    return [city.start.year + 1, city.start.year + 4, city.start.year + 7, last]


def _wijken(city: City) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, str | None]:
    """Wijk codes (sorted), each sector's wijk index, the wijken's incident level and centre
    flags, and the project's wijk."""
    codes, of_sector = np.unique([s.wijk for s in city.sectors], return_inverse=True)
    weight = np.array([s.weight for s in city.sectors])
    risk = np.array([s.risk for s in city.sectors])
    level = np.bincount(of_sector, weight * risk) / np.bincount(of_sector, weight)
    centre = np.bincount(of_sector, [s.centre for s in city.sectors]) > 0
    project = sorted({s.wijk for s in city.sectors if s.project})
    return codes.tolist(), of_sector, level, centre, project[0] if project else None


def _ordinal(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Answer codes 1..len(cuts)+1 from a latent score."""
    return np.searchsorted(cuts, latent) + 1


def write_survey(city: City, path: Path, seed: int) -> int:
    """Write the survey CSV to ``path``; return the number of respondents."""
    rng = np.random.default_rng([seed, 3])
    codes, of_sector, risk, centre, project_wijk = _wijken(city)
    n_wijk = len(codes)
    wijk_effect = rng.normal(0.0, 0.08, n_wijk)
    age_pop = np.where(centre[:, None], _AGE_CENTRE, _AGE_PERIPHERY)
    age_pop = age_pop * rng.lognormal(0.0, 0.08, (n_wijk, 4))
    age_pop /= age_pop.sum(axis=1, keepdims=True)
    years = wave_years(city)
    project = np.array([c == project_wijk for c in codes])
    wave_effect = rng.normal(0.0, 0.03, len(years))

    wave_ix, wijk_ix, age_ix, weight, ids = [], [], [], [], []
    for t, year in enumerate(years):
        people = city.population(year)
        inhabitants = [people[s.code][0] for s in city.sectors]
        adults = np.bincount(of_sector, inhabitants, len(codes)) * ADULT_SHARE
        wanted = SAMPLE * adults / adults.sum() * rng.lognormal(0.0, 0.1, n_wijk)
        n = np.clip(np.rint(wanted), MIN_WIJK, MAX_WIJK).astype(int)
        n[project] = MAX_WIJK  # the city's booster sample in the project wijk
        sample_p = age_pop * _RESPONSE
        sample_p /= sample_p.sum(axis=1, keepdims=True)
        cells = 1 + np.array([rng.multinomial(k - 4, p) for k, p in zip(n, sample_p,
                                                                           strict=True)])
        cell_pop = adults[:, None] * age_pop
        cell_weight = cell_pop / cell_pop.sum() * n.sum() / cells
        w_ix = np.repeat(np.repeat(np.arange(n_wijk), 4), cells.ravel())
        a_ix = np.repeat(np.tile(np.arange(4), n_wijk), cells.ravel())
        order = rng.permutation(len(w_ix))
        wijk_ix.append(w_ix[order])
        age_ix.append(a_ix[order])
        weight.append(cell_weight[w_ix, a_ix][order])
        wave_ix.append(np.full(len(w_ix), t))
        ids += [f"VM{year}-{k:05d}" for k in range(1, len(w_ix) + 1)]
    wave = np.concatenate(wave_ix)
    wijk = np.concatenate(wijk_ix)
    age = np.concatenate(age_ix)
    weights = np.concatenate(weight)
    total = len(wave)

    log_risk = np.log(risk)[wijk]
    in_project = project[wijk]
    wave_year = np.array(years)[wave]
    ramp = np.clip((wave_year - city.project_start.year + 1) / _PROJECT_YEARS, 0.0, 1.0)
    ramp = np.where(in_project & (wave_year >= city.project_start.year), ramp, 0.0)

    victim = rng.random(total) < np.clip(0.07 * np.exp(0.8 * log_risk) * _AGE_VICTIM[age],
                                         0.0, 0.5)
    insecurity = (
        _RISK_SLOPE * log_risk + wijk_effect[wijk] + wave_effect[wave] + _AGE_INSECURITY[age]
        + 0.35 * victim + in_project * _PROJECT_LEVEL + ramp * _PROJECT_EFFECT
    )
    felt = insecurity + rng.normal(0.0, 1.0, total)
    unsafe = _ordinal(felt, _UNSAFE_CUTS)
    avoid = rng.random(total) < 1 / (1 + np.exp(-(-1.45 + 0.9 * felt + _AGE_AVOID[age])))
    problems = {}
    for q, (base, slope, level, effect) in _PROBLEMS.items():
        latent = (base + slope * log_risk + 0.45 * felt + in_project * level + ramp * effect
                  + rng.normal(0.0, 0.9, total))
        problems[q] = _ordinal(latent, _PROBLEM_CUTS)
    contact = rng.random(total) < 0.22 + 0.45 * victim + 0.03 * centre[wijk]
    satisfaction = _ordinal(
        0.9 - 0.5 * victim - 0.15 * felt + 0.1 * (age == 3) + rng.normal(0.0, 1.0, total),
        _SATISFACTION_CUTS,
    )
    no_answer = {q: rng.random(total) < _NO_ANSWER for q in problems}

    yes_no = np.array(["nee", "ja"])
    columns: dict[str, np.ndarray] = {
        "q_onveilig_buurt": unsafe.astype(str),
        "q_vermijden": yes_no[avoid.astype(int)],
        **{q: np.where(no_answer[q], "", v.astype(str)) for q, v in problems.items()},
        "q_slachtoffer_12m": yes_no[victim.astype(int)],
        "q_contact_politie": yes_no[contact.astype(int)],
        "q_tevreden_politie": np.where(contact, satisfaction.astype(str), ""),
    }
    weight_text = np.char.replace(np.char.mod("%.4f", weights), ".", ",")
    rows = zip(
        ids,
        np.array([str(y) for y in years])[wave],
        np.array(codes)[wijk],
        weight_text,
        np.array(AGE_GROUPS)[age],
        *(columns[q] for q in QUESTIONS),
        strict=True,
    )
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\n")
        out.writerow(HEADER + QUESTIONS)
        out.writerows(rows)
    return total
