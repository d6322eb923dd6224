"""Sections and criteria: one table row per list style / heading form (text → expected criteria)."""
from __future__ import annotations

import json

import pytest

from conftest import ANNOTATIONS, read_exact
from extractor.resources import DataFileError
from extractor.segment import SectionRules, find_criteria, segment, unexplained_lines
from extractor.segment.rules import default_rules, is_heading_only

I, E = "inclusion", "exclusion"

CASES = [
    ("bullets_dot", "Inclusion Criteria:\n  • Age ≥ 18 years;\n  • ECOG 0-1.\nExclusion Criteria:\n  • Pregnant;\n",
     "auto", False, [(I, "Age ≥ 18 years;"), (I, "ECOG 0-1."), (E, "Pregnant;")]),
    ("dash_bullets", "Inclusion Criteria:\n- Adults\n- Signed consent\n", "auto", False,
     [(I, "Adults"), (I, "Signed consent")]),
    ("star_bullets", "Exclusion Criteria:\n* Prior CAR-T\n* HIV infection\n", "auto", False,
     [(E, "Prior CAR-T"), (E, "HIV infection")]),
    ("numbered_dot", "Inclusion criteria:\n1. Age 1-21 years\n2. Relapsed ALL\n10. Consent\n", "auto", False,
     [(I, "Age 1-21 years"), (I, "Relapsed ALL"), (I, "Consent")]),
    ("numbered_paren", "Exclusion criteria:\n1) Active GVHD\n2) Pregnancy\n(3) Sepsis\n", "auto", False,
     [(E, "Active GVHD"), (E, "Pregnancy"), (E, "Sepsis")]),
    ("lettered_and_roman", "Inclusion Criteria:\na. Age ≥ 1 year\nb. CD19+ disease\nii. Lansky ≥ 50\n", "auto", False,
     [(I, "Age ≥ 1 year"), (I, "CD19+ disease"), (I, "Lansky ≥ 50")]),
    ("seed003_prefixes",
     "Eligibility criteria\n- Inclusion Criteria:\n- * A patient must meet all of the following to be enrolled:\n"
     "- • 1. Age between 1 and 39 years old.\n- Exclusion Criteria:\n- • 1. Received bendamustine;\nAbout Us\n",
     "auto", False, [(I, "Age between 1 and 39 years old."), (E, "Received bendamustine;")]),
    ("single_newline_api", "Inclusion Criteria:\n\nAge ≥ 18 years.\nWilling to consent.\n\nExclusion Criteria:\n\n"
     "Prior therapy.\n", "auto", True,
     [(I, "Age ≥ 18 years."), (I, "Willing to consent."), (E, "Prior therapy.")]),
    ("no_heading_registry_text", "Patients with venous thromboembolism.\nNo anticoagulation.", "auto", True,
     [(I, "Patients with venous thromboembolism."), (I, "No anticoagulation.")]),
    ("legacy_wrapped",
     "\n        Inclusion Criteria:\n\n          -  For patients without metastasis, serum PSA values must be\n"
     "             > 0.2 ng/ml by two measurements.\n\n          -  ECOG performance status of < 2.\n\n"
     "        Exclusion Criteria:\n\n          -  Prior treatment with a GnRH analogue.\n      ",
     "auto", True,
     [(I, "For patients without metastasis, serum PSA values must be\n             > 0.2 ng/ml by two "
          "measurements."), (I, "ECOG performance status of < 2."), (E, "Prior treatment with a GnRH analogue.")]),
    ("legacy_unbulleted_paragraphs",
     "\n        Inclusion Criteria:\n\n        -\n\n        Patients must have:\n\n        Unipolar major "
     "depression with or\n        without melancholia.\n\n        Exclusion Criteria:\n\n        Psychosis.\n      ",
     "auto", True, [(I, "Unipolar major depression with or\n        without melancholia."), (E, "Psychosis.")]),
    ("legacy_wrap_looks_like_heading",
     "\n        Inclusion Criteria:\n\n          -  Patients who do not meet the\n             exclusion criteria.\n"
     "\n          -  Age > 18\n      ", "auto", True,
     [(I, "Patients who do not meet the\n             exclusion criteria."), (I, "Age > 18")]),
    ("run_on_letters", "Inclusion Criteria:\n- Adequate labs: a. ANC ≥ 1000/µL b. platelets ≥ 50,000/µL "
     "c. bilirubin ≤ 1.5 × ULN\n", "auto", False,
     [(I, "Adequate labs:"), (I, "ANC ≥ 1000/µL"), (I, "platelets ≥ 50,000/µL"), (I, "bilirubin ≤ 1.5 × ULN")]),
    ("nested_constraining_lead_in", "Inclusion Criteria:\n- Adequate organ function as indicated by:\n"
     "    - Creatinine ≤ 1.5 × ULN\n    - ALT ≤ 3 × ULN\n", "auto", False,
     [(I, "Adequate organ function as indicated by:"), (I, "Creatinine ≤ 1.5 × ULN"), (I, "ALT ≤ 3 × ULN")]),
    ("pure_lead_in_and_category_headings", "Inclusion Criteria:\nPatients must have:\nDISEASE CHARACTERISTICS:\n"
     "Renal:\nCreatinine normal\nAdequate organ function:\n", "auto", True,
     [(I, "Creatinine normal"), (I, "Adequate organ function:")]),
    ("heading_variants", "KEY INCLUSION CRITERIA:\n- Adults\nMain exclusion criteria include:\n- Minors\n",
     "auto", False, [(I, "Adults"), (E, "Minors")]),
    ("possessive_and_non_inclusion_headings", "Patient's inclusion criteria\n- Adults\nNon-inclusion Criteria:\n"
     "- Minors\n", "auto", True, [(I, "Adults"), (E, "Minors")]),
    ("heading_with_content", "Inclusion Criteria: Age ≥ 18 years\nExclusion Criteria: Pregnancy\n", "auto", True,
     [(I, "Age ≥ 18 years"), (E, "Pregnancy")]),
    ("who_can_enter_page", "Cookies banner.\n\nWho can enter\n  • Children up to 25 years old\n  • Follow-up "
     "patients\n\nGoal\n\nThe goal is to learn.\n", "auto", False,
     [(I, "Children up to 25 years old"), (I, "Follow-up patients")]),
    ("page_stops_at_page_heading", "Eligibility\n\nInclusion Criteria:\n\n  • Age 0-18;\n\nStudy details\n"
     "  • Not a criterion\n", "auto", False, [(I, "Age 0-18;")]),
    ("page_without_section", "Summary\n\nChildren under 25 years may receive the product.\n  • a bullet\n",
     "auto", False, []),
    ("declared_exclusion", "Pregnant or lactating\nActive infection\n", "exclusion", False,
     [(E, "Pregnant or lactating"), (E, "Active infection")]),
    ("declared_kind_wins_over_heading", "Inclusion criteria:\n- HIV\n", "exclusion", False, [(E, "HIV")]),
    ("crlf_offsets", "Inclusion Criteria:\r\n- Age > 18\r\n- Consent\r\n", "auto", False,
     [(I, "Age > 18"), (I, "Consent")]),
]


@pytest.mark.parametrize("text,section,eligibility,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_find_criteria(text: str, section: str, eligibility: bool, expected: list[tuple[str, str]]) -> None:
    criteria = find_criteria(text, section=section, eligibility=eligibility)
    assert [(c.kind, c.text) for c in criteria] == expected
    for c in criteria:
        assert text[c.start:c.end] == c.text
        assert c.text == c.text.strip()


def test_seed_criteria_match_gold(seed_texts: dict[str, str]) -> None:
    """The seeds' criteria, kinds and offsets exactly as the reconciled gold has them."""
    for stem, text in seed_texts.items():
        gold = json.loads(read_exact(ANNOTATIONS / f"{stem}.json"))
        predicted = [(c.start, c.end, c.kind) for c in find_criteria(text)]
        assert predicted == [(c["start"], c["end"], c["kind"]) for c in gold["criteria"]], stem


def test_unknown_section_is_rejected() -> None:
    with pytest.raises(ValueError, match="section must be one of"):
        find_criteria("x", section="both")


@pytest.mark.parametrize("line, heading", [
    ("Age and Donor Status:", True),                                   # leukemia_trials.csv NCT04644016
    ("Criteria Related to Laboratory Abnormalities:", True),           # registry_sample.csv NCT00174785
    ("Subjects with Hepatic Impairment:", True),                       # registry_sample.csv NCT02121860
    ("Ann Arbor IA or IIA with:", False),                              # registry_sample.csv NCT00145600: a lead-in
    ("Receipt of any of the following:", False),                       # registry_sample.csv NCT02446912
    ("Adequate Organ Function:", False),                               # registry_sample.csv NCT03314974
])
def test_a_title_ending_in_a_colon_is_a_heading(line: str, heading: bool) -> None:
    assert is_heading_only(line, default_rules()) is heading


@pytest.mark.parametrize("content,message", [
    ('{"rules": [{"role": "heading", "regex": "x"}]}', "headings need a kind"),
    ('{"rules": [{"role": "stop", "regex": "(", "kind": null}]}', "bad regex"),
    ('{"rules": [{"role": "stop", "regex": "x", "colour": "red"}]}', "unknown key"),
    ('{"rulez": []}', "expected an object with the key 'rules'"),
])
def test_rule_file_errors_name_the_file(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "sections.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as info:
        SectionRules.load(str(path))
    assert str(path) in str(info.value)


@pytest.mark.parametrize("text,expected", [
    ("PATIENT CHARACTERISTICS:\n\n        Age:\n\n          -  Under 80\n\n        Performance status:\n\n"
     "          -  ECOG 0-2\n\n        PRIOR CONCURRENT THERAPY:\n\n          -  No prior CAR-T\n",
     [("Under 80", "Age:"), ("ECOG 0-2", "Performance status:"), ("No prior CAR-T", None)]),   # a part heading
    ("Inclusion Criteria:\n- Creatinine as defined by age as follows:\n    - 1 to < 2 years: ≤ 0.6 mg/dL\n"
     "    - 2 to < 6 years: ≤ 0.8 mg/dL\n- Age ≥ 1 year\n",
     [("Creatinine as defined by age as follows:", None),
      ("1 to < 2 years: ≤ 0.6 mg/dL", "Creatinine as defined by age as follows:"),
      ("2 to < 6 years: ≤ 0.8 mg/dL", "Creatinine as defined by age as follows:"), ("Age ≥ 1 year", None)]),
    ("Inclusion Criteria:\n- HIV positive\n- OR\n- HIV negative\n", [("HIV positive", None), ("HIV negative", None)]),
])
def test_lead_in_travels_with_its_sub_items(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(c.text, c.lead_in) for c in find_criteria(text, eligibility=True)] == expected


# Legacy layout excerpt of registry_sample.csv NCT00264303 (abridged): two headings, wrapped items.
LEGACY = ("\n        Inclusion Criteria:\n\n        - At visit 1: Clinical history of Chronic Idiopathic Urticaria"
          " for a period of at least 6\n        weeks during the last 3 months\n\n        Exclusion Criteria:\n\n"
          "        - Any condition that would interfere with the evaluation of the therapeutic response.\n      ")


def test_criteria_carry_the_heading_they_are_listed_under_as_written() -> None:
    criteria = find_criteria(LEGACY, eligibility=True)
    assert [(c.kind, c.section) for c in criteria] == [("inclusion", "Inclusion Criteria"),
                                                       ("exclusion", "Exclusion Criteria")]
    page = "Cookie banner.\n\nEligibility\n\n- Age 18 or older\n- Signed consent\n"
    assert {c.section for c in find_criteria(page)} == {"Eligibility"}
    assert {c.section for c in find_criteria("Age 18 or older\nSigned consent", eligibility=True)} == {None}


def test_every_line_of_a_section_is_a_criterion_heading_lead_in_or_connector() -> None:
    text = ("Inclusion Criteria:\nPatients must have:\nANC >= 1500/uL\nOR\nANC >= 1000/uL with G-CSF\n"
            "Exclusion Criteria:\nPregnancy")
    layout = segment(text, eligibility=True)
    assert [text[s:e] for s, e in layout.headings] == ["Inclusion Criteria:", "Exclusion Criteria:"]
    assert [text[s:e] for s, e in layout.lead_ins] == ["Patients must have:"]
    assert [text[s:e] for s, e in layout.connectors] == ["OR"]
    assert len(layout.section_lines) == 7
    assert unexplained_lines(text, layout) == []
    layout.criteria.pop()   # a criterion lost is a line no role explains
    assert [text[s:e] for s, e in unexplained_lines(text, layout)] == ["Pregnancy"]


def test_a_bullet_right_after_an_inline_heading_is_left_out() -> None:
    # registry_sample.csv NCT00368329: "Inclusion Criteria:- Confirmed diagnosis of adenocarcinoma …"
    text = "\n        Inclusion Criteria:- Confirmed diagnosis of adenocarcinoma\n\n          -  No prior chemotherapy\n"
    assert [c.text for c in find_criteria(text, eligibility=True)] == ["Confirmed diagnosis of adenocarcinoma",
                                                                       "No prior chemotherapy"]


# (excerpt, expected (criterion text, section, lead_in)); sources: dev trials of the registry gold.
LABEL_CASES = [
    # leukemia_trials.csv NCT00357565: topic labels opening unbulleted lines are headings
    ("Inclusion Criteria:\nRenal: glomerial filtration rate > 60ml/min/1.73m^2\nPregnancy\n",
     [("glomerial filtration rate > 60ml/min/1.73m^2", "Inclusion Criteria", "Renal:"),
      ("Pregnancy", "Inclusion Criteria", None)]),
    # leukemia_trials.csv NCT03589729: a cohort label heads its own line only
    ("Inclusion Criteria:\nCohort 1: Frontline cohort patients are eligible\nAge >= 18 years\n",
     [("Frontline cohort patients are eligible", "Cohort 1", None), ("Age >= 18 years", "Inclusion Criteria", None)]),
    # registry_sample.csv NCT02078310: a part label alone on its line heads the items under it
    ("\n        Part 1\n\n        Inclusion Criteria:\n\n          -  Healthy volunteers\n\n        Part 2\n\n"
     "          -  Diagnosed migraine\n",
     [("Healthy volunteers", "Inclusion Criteria", None), ("Diagnosed migraine", "Part 2", None)]),
    # leukemia_trials.csv NCT04203316 (registry gold dev): kinds of therapy label their washout lines
    ("Inclusion Criteria:\nAntibodies: >= 21 days must have elapsed from infusion of last dose of antibody\n"
     "Hematopoietic growth factors: >= 14 days after the last dose of a long-acting growth factor\n",
     [(">= 21 days must have elapsed from infusion of last dose of antibody", "Inclusion Criteria", "Antibodies:"),
      (">= 14 days after the last dose of a long-acting growth factor", "Inclusion Criteria",
       "Hematopoietic growth factors:")]),
    # leukemia_trials.csv NCT03589729 (registry gold dev): a named cohort heads its line
    ("Inclusion Criteria:\nMaintenance cohort: Patients in CR are eligible\n",
     [("Patients in CR are eligible", "Maintenance cohort", None)]),
]


@pytest.mark.parametrize("text, expected", LABEL_CASES)
def test_labels_opening_a_line_are_headings(text: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert [(c.text, c.section, c.lead_in) for c in find_criteria(text, eligibility=True)] == expected


@pytest.mark.parametrize("text, expected", [
    # registry_sample.csv NCT03140072 (dev): a bulleted part label ending in ":" heads its sub-items
    ("\n        Inclusion Criteria:\n\n          -  For Parts 1 and 3:\n\n               -  Healthy male and female "
     "subjects aged 18 to 50 years.\n", [("Healthy male and female subjects aged 18 to 50 years.", "For Parts 1 and 3")]),
    # leukemia_trials.csv NCT02722668 (dev): a list heading without a colon names the section
    ("Inclusion Criteria:\nOrgan Function Criteria\nAdequate organ function is defined as:\nDLCO ≥ 40% predicted\n",
     [("Adequate organ function is defined as:", "Organ Function Criteria"),
      ("DLCO ≥ 40% predicted", "Organ Function Criteria")]),
    # LCT NCT03863730: a criterion that ends in "criteria" is no heading
    ("Inclusion Criteria:\nIrritable bowel syndrome defined by ROME III criteria\n",
     [("Irritable bowel syndrome defined by ROME III criteria", "Inclusion Criteria")]),
    # a bulleted item that names a population is no heading without a colon
    ("Inclusion Criteria:\n- Healthy volunteers\n", [("Healthy volunteers", "Inclusion Criteria")]),
])
def test_list_and_part_headings(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(c.text, c.section) for c in find_criteria(text, eligibility=True)] == expected


#: Kind from a heading or a lead-in sentence (GUIDELINES, "Kind"); (source, text, expected (criterion start, kind,
#: section)).
KIND_CASES = [
    ("registry dev2 NCT02680756 (sentences heading the lists, no heading at all; the second ends in a full stop)",
     "\n        All of the following criteria must be met to randomize a subject in the study:\n\n          1. Age 18 or "
     "over.\n\n        A subject who meets any of the following criteria is not eligible for participation in the\n"
     "        study.\n\n          1. Subject with anaemia.\n\n          2. Pregnant.\n",
     [("Age 18", "inclusion", None), ("Subject with", "exclusion", None), ("Pregnant", "exclusion", None)]),
    ("GUIDELINES, Kind ('Patients will be excluded if:'-like lead-ins under an inclusion heading)",
     "Inclusion Criteria:\n\n- Age 18\n\nPatients will be excluded if they meet any of the following criteria:\n\n"
     "- Pregnant\n",
     [("Age 18", "inclusion", "Inclusion Criteria"), ("Pregnant", "exclusion", "Inclusion Criteria")]),
    ("registry_sample.csv NCT00321685 (a bulleted sub-list lead-in keeps its list's kind)",
     "Inclusion Criteria:\n\n  -  Patients must not have any of the following:\n\n       -  Unstable angina\n\n"
     "  -  Signed consent\n",
     [("Unstable", "inclusion", "Inclusion Criteria"), ("Signed", "inclusion", "Inclusion Criteria")]),
    ("registry_sample.csv NCT01371981 (a lead-in naming a class is a criterion)",
     "Exclusion Criteria:\n\nPatients with any of the following oncologic diagnoses are not eligible:\n\n- Lymphoma\n",
     [("Patients with any", "exclusion", "Exclusion Criteria"), ("Lymphoma", "exclusion", "Exclusion Criteria")]),
    ("registry dev2 NCT03326921 (a bare list word with its population is a heading)",
     "DONOR SELECTION INCLUSION\n\nDonor age >= 18 years\n\nDONOR SELECTION EXCLUSION\n\nPregnant donor\n",
     [("Donor age", "inclusion", "DONOR SELECTION INCLUSION"), ("Pregnant donor", "exclusion", "DONOR SELECTION EXCLUSION")]),
    ("registry dev2 NCT04986657 (a heading with the population after it)",
     "Inclusion Criteria Patient\n\nAdult patients 18 years or older.\n\nExclusion Criteria Physician\n\nDoes not "
     "treat patients here\n",
     [("Adult", "inclusion", "Inclusion Criteria Patient"), ("Does not", "exclusion", "Exclusion Criteria Physician")]),
    ("registry dev2 NCT02411825 (population labels name their blocks: a qualified noun, 'Both')",
     "\n        Inclusion criteria:\n\n        Healthy subjects:\n\n          -  Males, 18 to 55 years.\n\n"
     "        T2DM patients:\n\n          -  Males and females, 18-70 years of age.\n\n        Both:\n\n"
     "          -  Signed written informed consent.\n",
     [("Males,", "inclusion", "Healthy subjects"), ("Males and", "inclusion", "T2DM patients"),
      ("Signed", "inclusion", "Both")]),
    ("registry dev3 NCT00436618 (the parts of an old NCI list are sections; a topic label under them is not)",
     "\n        DISEASE CHARACTERISTICS:\n\n          -  Biopsy-proven lymphoma\n\n        PATIENT CHARACTERISTICS:\n\n"
     "        Age:\n\n          -  18 and over\n\n        PRIOR CONCURRENT THERAPY: At least 30 days since therapy\n",
     [("Biopsy", "inclusion", "DISEASE CHARACTERISTICS"), ("18 and", "inclusion", "PATIENT CHARACTERISTICS"),
      ("At least", "inclusion", "PRIOR CONCURRENT THERAPY")]),
    ("registry dev3 NCT04013685 (lead-in sentences about recipients)",
     "Key Inclusion Criteria:\n\nRecipients must meet all of the following criteria:\n\n- Age 18\n\nKey Exclusion Criteria:"
     "\n\nRecipients meeting any of the following exclusion criteria will not be eligible:\n\n- Pregnant\n",
     [("Age", "inclusion", "Key Inclusion Criteria"), ("Pregnant", "exclusion", "Key Exclusion Criteria")]),
    ("registry dev3 NCT03102190 (a lead-in naming an unqualified category is pure)",
     "Exclusion Criteria:\n\nPatients with the following comorbidities:\n\n- Uncontrolled diabetes\n",
     [("Uncontrolled", "exclusion", "Exclusion Criteria")]),
    ("registry dev3 NCT04262843 (a sex or childbearing group labels the line it opens)",
     "Inclusion Criteria:\n\nWomen of childbearing potential (WOCBP): negative urine or serum pregnancy test\nAge 18\n\n"
     "Exclusion Criteria:\n\nFemales only: Pregnant or breastfeeding\n",
     [("negative", "inclusion", "Women of childbearing potential (WOCBP)"), ("Age", "inclusion", "Inclusion Criteria"),
      ("Pregnant", "exclusion", "Females only")]),
    ("registry_sample.csv NCT03374332 (a heading naming whose criteria they are with 'of')",
     "Inclusion Criteria of Recipient (patient):\n\n- Age 18\n\nExclusion Criteria of Recipient (patient):\n\n- Pregnant\n",
     [("Age", "inclusion", "Inclusion Criteria of Recipient (patient)"),
      ("Pregnant", "exclusion", "Exclusion Criteria of Recipient (patient)")]),
    ("registry dev4 NCT00987831 (groups named with their letters)",
     "\n        Inclusion Criteria:\n\n        SLE Groups (Group A and B):\n\n          1. ACR criteria for SLE.\n\n"
     "        Control group (Group C):\n\n          1. Age matched.\n",
     [("ACR", "inclusion", "SLE Groups (Group A and B)"), ("Age matched", "inclusion", "Control group (Group C)")]),
    ("registry dev4 NCT03178617 (whose line a label opens)",
     "Inclusion Criteria:\n\nPARENT/CAREGIVER: Adult primary caregiver of children treated for leukemia\n"
     "CHILD: Children treated for acute leukemia\n",
     [("Adult", "inclusion", "PARENT/CAREGIVER"), ("Children", "inclusion", "CHILD")]),
    ("registry dev5 NCT00084591 (an old NCI list's colon-less category labels over their bullets are lead-ins)",
     "\n        PATIENT CHARACTERISTICS:\n\n        Age\n\n          -  18 and over\n\n        Hepatic\n\n"
     "          -  Bilirubin ≤ 1.5 times upper limit of normal (ULN)\n",
     [("18 and over", "inclusion", "PATIENT CHARACTERISTICS"), ("Bilirubin", "inclusion", "PATIENT CHARACTERISTICS")]),
    ("registry_sample.csv NCT01031810 (the words alone on their lines)",
     "INCLUSION\n\n- Age 18 to 65\n\nEXCLUSION\n\n- History of bipolar disorder\n",
     [("Age", "inclusion", "INCLUSION"), ("History", "exclusion", "EXCLUSION")]),
]


@pytest.mark.parametrize("source, text, expected", KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_kind_comes_from_the_nearest_heading_or_lead_in(source: str, text: str,
                                                        expected: list[tuple[str, str, str | None]]) -> None:
    criteria = find_criteria(text, eligibility=True)
    assert [(c.text[:len(prefix)], c.kind, c.section) for c, (prefix, _, _) in zip(criteria, expected)] == expected
    assert len(criteria) == len(expected)


@pytest.mark.parametrize("page, expected", [
    # registry_sample.csv NCT02078310 (dev) as a page: an unbulleted paragraph indented like the
    # section's heading belongs to the section; page text at the margin after it does not
    ("Cookies.\n\nEligibility\n\n        Inclusion Criteria:\n\n          -  Healthy volunteers\n\n"
     "        Part 2\n\n          -  Diagnosed migraine\n\nGet updates\n\nSign up for news.\n",
     ["Healthy volunteers", "Diagnosed migraine"]),
    # leukemia_trials.csv NCT04582864 (dev) as a page: one "*" line in a single-newline list does not end it
    ("Eligibility\nInclusion Criteria:\nAble to have corticosteroids weaned\n**calcineurin inhibitors must be "
     "stopped\nAt least 18 years of age.\n", ["Able to have corticosteroids weaned",
                                             "calcineurin inhibitors must be stopped", "At least 18 years of age."]),
    # seed 001's furniture after the criteria: a sign-up box ("Get updates") is no criterion
    ("Who can enter\n\nInclusion Criteria:\n\n  - Age 18 or older\n\nGet updates\n\nGet notified about this study\n\n"
     "Sign up to get updates when this study changes\n", ["Age 18 or older"]),
    # a bulleted list at the margin still ends at the first paragraph after it (seed 000's layout)
    ("Who can enter\n  • Children up to 25 years old\n\nGoal\n\nThe goal is to understand.\n",
     ["Children up to 25 years old"]),
])
def test_a_page_section_runs_to_what_is_not_its_text(page: str, expected: list[str]) -> None:
    assert [c.text for c in find_criteria(page)] == expected


#: Alternatives (``any_of``): registry gold dev trials' layouts, abridged; expected (criterion start, any_of).
ALTERNATIVES_CASES = [
    ("registry dev NCT04203316 (single-newline block under an 'at least one of' lead-in, ended by a blank line)",
     "Inclusion Criteria:\n\nPatient must have > 5% leukemic blasts in at least one of the following clinical "
     "scenarios:\n\nSecond or greater relapse after chemotherapy\nRefractory after >= 2 attempts at induction "
     "therapy\n\nRelapsed patients\n\nMust not have received prior re-induction therapy\n",
     [("Patient must have", None), ("Second or greater", 1), ("Refractory after", 1), ("Must not have", None)]),
    ("registry dev NCT03506802 (legacy layout: the set is the lead-in's deeper items)",
     "\n        Inclusion Criteria:\n\n          -  Measurable disease defined by at least one of the following:\n\n"
     "               -  Serum monoclonal protein > 1gm/dL\n\n               -  Serum free light chain >= 10mg/dL\n\n"
     "          -  Adequate organ function defined as:\n\n               -  Platelets >= 75 x 10^9/L\n",
     [("Measurable disease", None), ("Serum monoclonal", 1), ("Serum free", 1), ("Adequate organ", None),
      ("Platelets", None)]),
    ("registry dev NCT02720926 (an item ending in OR joins the next)",
     "Inclusion Criteria:\n\n- creatinine within normal institutional limits OR\n- creatinine clearance >55 mL/min\n"
     "- Hemoglobin >= 9 g/dL\n",
     [("creatinine within", 1), ("creatinine clearance", 1), ("Hemoglobin", None)]),
    ("an OR connector line joins the items around it",
     "Inclusion Criteria:\n\n- Age 18 or older\n\nOR\n\n- Age 12 to 17 with consent of a parent\n- Signed consent\n",
     [("Age 18", 1), ("Age 12", 1), ("Signed", None)]),
    ("registry dev NCT00363311 (exclusion 'any of the following', ended by the heading)",
     "Exclusion Criteria:\n\n- Treated for prostate cancer with any of the following:\n  - Radiotherapy\n"
     "  - Chemotherapy\n- Known hypersensitivity\n",
     [("Treated for", None), ("Radiotherapy", 1), ("Chemotherapy", 1), ("Known", None)]),
    ("ctgov leukemia_trials.csv NCT03813147 (a criterion with its own bound 'or' a table: it and the rows, "
     "which open with a band, are one set)",
     "Inclusion Criteria:\n\nCreatinine clearance >= 60 ml/min/1.73 m^2 or a serum creatinine based on age/gender as "
     "follows:\n\n1 to < 2 years; 0.6 (male and female)\n>= 16 years; 1.7 (male) and 1.4 (female)\nBilirubin =< ULN "
     "for age\n",
     [("Creatinine clearance", 1), ("1 to < 2", 1), (">= 16 years", 1), ("Bilirubin", None)]),
    ("registry dev NCT04582864 (a flat list of comma-ended items closed by a full stop ends the set)",
     "Exclusion Criteria:\n\nAny medical condition increasing the safety risk, such as:\n\nactive uncontrolled "
     "infection,\nunstable angina,\nmajor surgery or trauma within 4 weeks before enrollment.\nKnown hypersensitivity "
     "to murine proteins.\nDementia or altered mental status.\n",
     [("Any medical", None), ("active", 1), ("unstable", 1), ("major", 1), ("Known", None), ("Dementia", None)]),
    ("registry dev NCT04128501 (an inclusion item restating its own subject stands alone)",
     "Inclusion Criteria:\n\nPatients with AML with one of the following high risk features:\nTherapy related AML\n"
     "Primary induction failure\nPatients with biphenotypic leukemia\n",
     [("Patients with AML", None), ("Therapy", 1), ("Primary", 1), ("Patients with bi", None)]),
    ("registry dev NCT03589729 (a line that admits a further case joins the requirement above it)",
     "Inclusion Criteria:\n\nPatients with a diagnosis of acute myeloid leukemia.\nPatients with myeloproliferative "
     "neoplasms in blast phase will be eligible.\nOnly subjects with stable weight will be included.\n",
     [("Patients with a", 1), ("Patients with m", 1), ("Only", None)]),
    ("registry dev2 NCT03199911 ('including but not limited to:' introduces examples)",
     "\n        Inclusion Criteria:\n\n        Patients undergoing eyelid procedures including but not limited to:\n\n"
     "          -  blepharoplasty;\n\n          -  ectropion repair;\n\n          -  wedge excision.\n",
     [("Patients undergoing", None), ("blepharoplasty", 1), ("ectropion", 1), ("wedge", 1)]),
    ("registry dev4 NCT03600155 (an item stating its own exclusion ends the set)",
     "Exclusion Criteria:\n\nPatients with a known history of any of the following autoimmune diseases are excluded:\n\n"
     "Patients with a history of inflammatory bowel disease\nPatients with a history of rheumatoid arthritis\n"
     "Patients with solid organ allografts (such as renal transplant) are excluded\nPregnant or breastfeeding\n",
     [("Patients with a known", None), ("Patients with a history of i", 1), ("Patients with a history of r", 1),
      ("Patients with solid", None), ("Pregnant", None)]),
    ("'all of the following' is no set",
     "Inclusion Criteria:\n\n- Must meet all of the following:\n  - Age 18 or older\n  - Signed consent\n",
     [("Age 18", None), ("Signed", None)]),     # the lead-in is a pure lead-in, no criterion
]


@pytest.mark.parametrize("source, text, expected", ALTERNATIVES_CASES, ids=[c[0] for c in ALTERNATIVES_CASES])
def test_alternatives_form_any_of_sets(source: str, text: str, expected: list[tuple[str, int | None]]) -> None:
    criteria = find_criteria(text, eligibility=True)
    assert [(c.text[:len(prefix)], c.any_of) for c, (prefix, _) in zip(criteria, expected)] == expected
    assert len(criteria) == len(expected)


# (source, text, page, expected (criterion text, section)): layouts of issue 19 read from dev trials of the
# registry gold; ``page`` reads the text as a page (section="auto") instead of as a registry field.
LAYOUT_CASES = [
    ("registry_sample.csv NCT02107898 as a page: a wrapped legacy section inside page text",
     "Who can enter\n\n        Inclusion criteria:\n\n        Participants with familial hypercholesterolemia or\n"
     "        non-familial hypercholesterolemia who were not adequately controlled\n        (Week -3).\n\n"
     "        Exclusion criteria:\n\n          1. LDL-C <100 mg/dL at the screening visit in participants with\n"
     "             heterozygous familial hypercholesterolemia\n\nGet updates\n\nGet notified.\n", True,
     [("Participants with familial hypercholesterolemia or\n        non-familial hypercholesterolemia who were not "
       "adequately controlled\n        (Week -3).", "Inclusion criteria"),
      ("LDL-C <100 mg/dL at the screening visit in participants with\n             heterozygous familial "
       "hypercholesterolemia", "Exclusion criteria")]),
    ("registry_sample.csv NCT03140072: an inline bullet glyph starts an item",
     "\n        Inclusion Criteria:\n\n          -  All females must not be lactating and must be of\n"
     "             non-childbearing potential. • Has a body mass index (BMI) between 18 and 30 kg/m2\n"
     "             inclusive.\n", False,
     [("All females must not be lactating and must be of\n             non-childbearing potential.",
       "Inclusion Criteria"),
      ("Has a body mass index (BMI) between 18 and 30 kg/m2\n             inclusive.", "Inclusion Criteria")]),
    ("leukemia_trials.csv NCT04150029: a '.' opening a line is a bullet",
     "Inclusion Criteria:\n.Not planned for hematopoietic stem-cell transplantation (HSCT)\n"
     ".Eastern Cooperative Oncology Group (ECOG) performance status of 0, 1 , 2 or 3\n", False,
     [("Not planned for hematopoietic stem-cell transplantation (HSCT)", "Inclusion Criteria"),
      ("Eastern Cooperative Oncology Group (ECOG) performance status of 0, 1 , 2 or 3", "Inclusion Criteria")]),
    ("leukemia_trials.csv NCT03589729: several labels opening a line are all headings",
     "Inclusion Criteria:\nCohort 4: Maintenance cohort: Patients in CR who are considered by treating physician to "
     "benefit from maintenance therapy are eligible.\n", False,
     [("Patients in CR who are considered by treating physician to benefit from maintenance therapy are eligible.",
       "Maintenance cohort")]),
    ("leukemia_trials.csv NCT03096782: a marked chain inside an item of a run-on chain",
     "Inclusion Criteria:\nPatients must have one of the following hematologic malignancies: a. Acute myeloid leukemia beyond first remission. b. Myelodysplastic syndrome (MDS): "
     "Including the following categories: 1) Revised IPSS high risk groups, 2) MDS with transfusion dependency, "
     "c. Acute lymphoblastic leukemia (ALL) beyond first remission.\n", False,
     [("Patients must have one of the following hematologic malignancies:", "Inclusion Criteria"),
      ("Acute myeloid leukemia beyond first remission.", "Inclusion Criteria"),
      ("Myelodysplastic syndrome (MDS): Including the following categories:", "Inclusion Criteria"),
      ("Revised IPSS high risk groups,", "Inclusion Criteria"),
      ("MDS with transfusion dependency,", "Inclusion Criteria"),
      ("Acute lymphoblastic leukemia (ALL) beyond first remission.", "Inclusion Criteria")]),
    ("leukemia_trials.csv NCT04203316: a population heading without a colon heads its block; an item every "
     "participant must meet (performance status) returns to the list's heading; a topic label is no section",
     "Inclusion Criteria:\nRefractory after >= 2 attempts at induction therapy\n\nRelapsed patients\n\n"
     "Must not have received prior re-induction therapy for this relapse\nDonor lymphocyte infusion (DLI) is "
     "considered a re-induction attempt\n\nRefractory patients\n\nEach attempt at induction therapy may include up "
     "to two chemotherapy courses\nKarnofsky >= 50% for patients > 16 years of age\n\nRegulatory Requirements\n\n"
     "All patients and/or their parents must sign a written informed consent\n", False,
     [("Refractory after >= 2 attempts at induction therapy", "Inclusion Criteria"),
      ("Must not have received prior re-induction therapy for this relapse", "Relapsed patients"),
      ("Donor lymphocyte infusion (DLI) is considered a re-induction attempt", "Relapsed patients"),
      ("Each attempt at induction therapy may include up to two chemotherapy courses", "Refractory patients"),
      ("Karnofsky >= 50% for patients > 16 years of age", "Inclusion Criteria"),
      ("All patients and/or their parents must sign a written informed consent", "Inclusion Criteria")]),
    ("registry_sample.csv NCT01642251 (outside the gold): a phase heading's list keeps its eligibility headings "
     "as sections; an item every participant must meet does not end them",
     "\n        PHASE I\n\n        Inclusion Criteria (phase I):\n\n          -  ECOG performance status 0-2\n\n"
     "        Exclusion Criteria (phase I):\n\n          -  Pregnant women\n\n        PHASE II\n\n"
     "        Inclusion Criteria (phase II):\n\n          -  ECOG performance status 0-1\n", False,
     [("ECOG performance status 0-2", "Inclusion Criteria (phase I)"),
      ("Pregnant women", "Exclusion Criteria (phase I)"),
      ("ECOG performance status 0-1", "Inclusion Criteria (phase II)")]),
    ("registry_sample.csv NCT02730377 (outside the gold): a text whose line breaks were lost runs heading, "
     "' - ' items and the next heading on in one paragraph; an item may start after a ' -' at a line's end",
     "\n        Inclusion Criteria: - Male or female at least 18 years of age at the time of signing\n"
     "        informed consent - Subjects diagnosed (clinically) with type 2 diabetes equal to or above\n"
     "        90 days prior to the screening visit - Stable daily dose of metformin as monotherapy equal\n"
     "        to or above 1500 mg or maximum tolerated dose within 60 days prior to the screening visit -\n"
     "        HbA1c 7.5-9.0% (59-75 mmol/mol) (both inclusive) and measured within the last 90 days prior\n"
     "        to the screening visit Exclusion Criteria: - Female who is pregnant, breast-feeding or\n"
     "        intends to become pregnant\n", False,
     [("Male or female at least 18 years of age at the time of signing\n        informed consent",
       "Inclusion Criteria"),
      ("Subjects diagnosed (clinically) with type 2 diabetes equal to or above\n        90 days prior to the "
       "screening visit", "Inclusion Criteria"),
      ("Stable daily dose of metformin as monotherapy equal\n        to or above 1500 mg or maximum tolerated dose "
       "within 60 days prior to the screening visit", "Inclusion Criteria"),
      ("HbA1c 7.5-9.0% (59-75 mmol/mol) (both inclusive) and measured within the last 90 days prior\n        to "
       "the screening visit", "Inclusion Criteria"),
      ("Female who is pregnant, breast-feeding or\n        intends to become pregnant", "Exclusion Criteria")]),
    ("registry_sample.csv NCT01005979 (outside the gold): a wrapped line opening with 'J)' closes the bracket "
     "left open above it; it marks no item",
     "Exclusion Criteria:\n\n          4. Evidence of laboratory tumor lysis syndrome (TLS) by Cairo-Bishop "
     "criteria (Appendix\n             J) (subjects may be enrolled upon correction of electrolyte abnormalities)."
     "\n\n          5. Use of any other experimental drug\n", False,
     [("Evidence of laboratory tumor lysis syndrome (TLS) by Cairo-Bishop criteria (Appendix\n             J) "
       "(subjects may be enrolled upon correction of electrolyte abnormalities).", "Exclusion Criteria"),
      ("Use of any other experimental drug", "Exclusion Criteria")]),
    ("registry_sample.csv NCT02106897 (outside the gold): a part label before the list's own heading; the heading "
     "still switches the kind",
     "\n        Part 1: Key Inclusion Criteria For Healthy Volunteers:\n\n          -  Body mass index (BMI) between 18 "
     "and 30 kg/m2 and body weight ≥45 kg.\n\n        Part 1: Key Exclusion Criteria For Healthy Volunteers:\n\n"
     "          -  History of or positive test results at screening for HIV.\n", False,
     [("Body mass index (BMI) between 18 and 30 kg/m2 and body weight ≥45 kg.",
       "Key Inclusion Criteria For Healthy Volunteers"),
      ("History of or positive test results at screening for HIV.", "Key Exclusion Criteria For Healthy Volunteers")]),
    ("leukemia_trials.csv NCT04811560 (outside the gold): a heading qualified by 'related to'; the lettered chain "
     "after it on its line is split",
     "Exclusion criteria related to stem cell transplant: a. Willing and able to undergo allogeneic stem cell "
     "transplant (if clinically indicated); b. Received prior treatment with allogenic bone marrow or stem cell "
     "transplant <=3 months before the first dose of study treatment; c. Has evidence of graft versus host disease\n",
     False,
     [("Willing and able to undergo allogeneic stem cell transplant (if clinically indicated);",
       "Exclusion criteria related to stem cell transplant"),
      ("Received prior treatment with allogenic bone marrow or stem cell transplant <=3 months before the first dose "
       "of study treatment;", "Exclusion criteria related to stem cell transplant"),
      ("Has evidence of graft versus host disease", "Exclusion criteria related to stem cell transplant")]),
    ("registry_sample.csv NCT01460407 (outside the gold): a lower-case 'o' before a capital is a bullet",
     "Inclusion Criteria:\n\n          -  Female participants:\n\n             o Are women of child-bearing potential who "
     "test negative for pregnancy\n", False,
     [("Are women of child-bearing potential who test negative for pregnancy", "Female participants")]),
    ("leukemia_trials.csv NCT02091245 (drawn into dev6 after this case was written): a double hyphen is a bullet",
     "Inclusion Criteria:\n\nPerformance status:\n\n-- Lansky ≥ 50 for individuals 18 months- ≤ 16 years old; "
     "Karnofsky > 50% for individuals 17-21 years old (See Appendix I).\n", False,
     [("Lansky ≥ 50 for individuals 18 months- ≤ 16 years old; Karnofsky > 50% for individuals 17-21 years old "
       "(See Appendix I).", "Inclusion Criteria")]),
]


@pytest.mark.parametrize("source, text, page, expected", LAYOUT_CASES, ids=[c[0][:60] for c in LAYOUT_CASES])
def test_layouts(source: str, text: str, page: bool, expected: list[tuple[str, str | None]]) -> None:
    criteria = find_criteria(text) if page else find_criteria(text, eligibility=True)
    assert [(c.text, c.section) for c in criteria] == expected


# Issue 23 ("Unicode"): how a text breaks its lines or pads them never changes its criteria.
@pytest.mark.parametrize("text", [
    "Inclusion Criteria:\n- Age >= 18 years\n- Signed consent\n",
    "Inclusion Criteria:\r\n- Age >= 18 years\r\n- Signed consent\r\n",
    "Inclusion Criteria:\u2028- Age >= 18 years\u2028- Signed consent\u2028",
    "Inclusion Criteria:\x85- Age >= 18 years\x85- Signed consent",
    "Inclusion Criteria:\x0c- Age >= 18 years\n- Signed consent\n",
    "\ufeffInclusion Criteria:\n\u200b- Age >= 18 years\n- Signed consent\u00a0\n",
    "Inclusion Criteria:\n\u3000- Age >= 18 years\u3000\n- Signed consent\n",
    # found by tests/test_properties.py: padding after a bullet opened the criterion
    "Inclusion Criteria:\n- \u00a0 Age >= 18 years\n-\u3000Signed consent\n",
    "Inclusion Criteria:\n1.\u00a0Age >= 18 years\n\u2022\u200b Signed consent\n",
], ids=["lf", "crlf", "u2028", "nel", "form feed", "bom and zero-width space", "ideographic space",
        "no-break space after a bullet", "no-break and zero-width space after a bullet"])
def test_line_breaks_and_padding_do_not_change_criteria(text: str) -> None:
    criteria = find_criteria(text)
    assert [(c.kind, c.text) for c in criteria] == [("inclusion", "Age >= 18 years"), ("inclusion", "Signed consent")]
    assert all(text[c.start:c.end] == c.text for c in criteria)
