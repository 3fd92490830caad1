"""Backlog rules: types, hierarchy, workflow, estimates, roll-ups, checklists, scenarios,
quality hints and mentions. Pure and instant."""

from __future__ import annotations

import pytest

from jalon.backlog import rules
from jalon.backlog.rules import Category, ItemType, Scale
from jalon.errors import Invalid, Message

WORKFLOW = rules.default_workflow()

# --- types and hierarchy --------------------------------------------------------------------


def test_item_types_and_their_labels() -> None:
    assert [t.value for t in ItemType] == [
        "epic",
        "feature",
        "story",
        "bug",
        "tech_debt",
        "spike",
    ]
    assert set(rules.TYPE_LABELS) == set(ItemType)
    assert rules.TYPE_LABELS[ItemType.TECH_DEBT] == "Tech debt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("story", "story"),
        ("Tech-debt", "tech_debt"),
        (" tech debt ", "tech_debt"),
        ("EPIC", "epic"),
    ],
)
def test_parse_type_is_forgiving_about_spelling(raw: str, expected: str) -> None:
    assert rules.parse_type(raw) == expected


def test_unknown_type_lists_the_types() -> None:
    with pytest.raises(Invalid) as exc:
        rules.parse_type("saga")
    assert str(exc.value) == (
        "Unknown item type 'saga'; types are epic, feature, story, bug, tech_debt, spike."
    )
    assert set(exc.value.fields) == {"type"}


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("feature", "epic"),
        ("story", "feature"),
        ("story", "epic"),
        ("bug", "feature"),
        ("tech_debt", "epic"),
        ("spike", "feature"),
    ],
)
def test_allowed_parents(child: str, parent: str) -> None:
    rules.check_parent(child, parent)


def test_refused_parent_names_the_allowed_ones() -> None:
    with pytest.raises(Invalid) as exc:
        rules.check_parent("story", "bug")
    assert str(exc.value) == "A story goes under feature, epic, not under a bug."
    assert set(exc.value.fields) == {"parent_id"}
    with pytest.raises(Invalid, match="goes under epic, not under a feature"):
        rules.check_parent("feature", "feature")
    with pytest.raises(Invalid, match="An epic sits at the top"):
        rules.check_parent("epic", "epic")


def test_a_cycle_is_refused_with_its_path() -> None:
    parent_of: dict[int, int | None] = {2: 1, 3: 2, 4: 3}
    with pytest.raises(Invalid) as exc:
        rules.check_no_cycle(1, 4, parent_of)  # 1 under 4, while 4 is under 3 under 2 under 1
    assert str(exc.value) == "This parent would make a loop: #1 → #4 → #3 → #2 → #1."
    assert set(exc.value.fields) == {"parent_id"}
    with pytest.raises(Invalid, match="cannot be its own parent"):
        rules.check_no_cycle(5, 5, parent_of)


def test_no_cycle_when_the_new_parent_is_elsewhere() -> None:
    parent_of: dict[int, int | None] = {2: 1, 3: 2, 5: None, 6: 7, 7: 6}  # 6 <-> 7 is old damage
    rules.check_no_cycle(3, 5, parent_of)
    rules.check_no_cycle(1, None, parent_of)
    rules.check_no_cycle(1, 6, parent_of)  # ends, despite the loop between 6 and 7


# --- workflow -------------------------------------------------------------------------------


def test_default_workflow() -> None:
    assert [s["key"] for s in WORKFLOW] == rules.DEFAULT_STATUSES
    assert [s["category"] for s in WORKFLOW] == ["todo", "todo", "doing", "done", "rejected"]
    assert WORKFLOW[2]["label"] == "In progress"
    assert rules.check_workflow(WORKFLOW) == WORKFLOW


def test_a_custom_workflow_is_cleaned() -> None:
    custom = [
        {"key": "idea", "category": "todo"},
        {"key": "doing", "label": " Doing ", "category": "doing"},
        {"key": "shipped", "label": "Shipped", "category": "done"},
    ]
    assert rules.check_workflow(custom) == [
        {"key": "idea", "label": "idea", "category": "todo"},
        {"key": "doing", "label": "Doing", "category": "doing"},
        {"key": "shipped", "label": "Shipped", "category": "done"},
    ]


@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        ([], "A workflow has 1 to 12 statuses."),
        ([{"key": f"s{i}", "category": "done"} for i in range(13)], "1 to 12 statuses"),
        ([{"key": "In Progress", "category": "done"}], "Status 1: the key 'In Progress' must be"),
        ([{"key": "done", "category": "finished"}], "Status 'done': the category must be one of"),
        (
            [{"key": "a", "category": "done"}, {"key": "a", "category": "todo"}],
            "Each status needs its own key; repeated: a.",
        ),
        ([{"key": "new", "category": "todo"}], "at least one status of the done category"),
        ([{"key": "x", "label": "L" * 41, "category": "done"}], "at most 40 characters"),
    ],
)
def test_a_bad_workflow_is_refused_precisely(statuses: list[dict[str, str]], message: str) -> None:
    with pytest.raises(Invalid, match=message.replace("(", r"\(")) as exc:
        rules.check_workflow(statuses)
    assert set(exc.value.fields) == {"statuses"}


def test_parse_status_by_key_or_label() -> None:
    assert rules.parse_status("in_progress", WORKFLOW) == "in_progress"
    assert rules.parse_status("In progress", WORKFLOW) == "in_progress"
    assert rules.parse_status("in-progress", WORKFLOW) == "in_progress"
    with pytest.raises(Invalid) as exc:
        rules.parse_status("shipped", WORKFLOW)
    assert "statuses are new, ready, in_progress, done, rejected" in str(exc.value)
    assert set(exc.value.fields) == {"status"}


def test_categories() -> None:
    assert rules.is_done("done", WORKFLOW)
    assert not rules.is_done("rejected", WORKFLOW)
    assert rules.status_category("ready", WORKFLOW) is Category.TODO
    assert rules.status_category("gone", WORKFLOW) is None


# --- estimates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5.0), ("8", 8.0), ("0,5", 0.5), (0.5, 0.5), ("  ", None), (None, None), ("100", 100.0)],
)
def test_fibonacci_estimates(raw: object, expected: float | None) -> None:
    assert rules.parse_estimate("fibonacci", raw) == expected


def test_fibonacci_deck() -> None:
    assert rules.FIBONACCI_POINTS == (0, 0.5, 1, 2, 3, 5, 8, 13, 20, 40, 100)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (4, "4 is not on the Fibonacci scale (0, 0.5, 1, 2, 3, 5, 8, 13, 20, 40, 100); "
         "the nearest is 5."),
        ("21", "the nearest is 20."),
        ("big", "'big' is not a number of story points; use one of 0, 0.5, 1"),
        (True, "'True' is not a number of story points"),
        ("nan", "'nan' is not a number of story points"),
    ],
)  # fmt: skip
def test_bad_fibonacci_estimates_say_what_to_use(raw: object, message: str) -> None:
    with pytest.raises(Invalid) as exc:
        rules.parse_estimate("fibonacci", raw)
    assert message in str(exc.value)
    assert set(exc.value.fields) == {"estimate"}


def test_tshirt_sizes_count_as_points() -> None:
    assert rules.parse_estimate("tshirt", "m") == 3.0
    assert rules.parse_estimate("tshirt", " XXL ") == 13.0
    assert rules.parse_estimate("tshirt", 5) == 5.0  # an export's stored value reads back
    assert rules.estimate_label("tshirt", 5.0) == "L"
    assert rules.estimate_label("fibonacci", 0.5) == "0.5"
    assert rules.estimate_label("fibonacci", 8.0) == "8"
    assert rules.estimate_label("tshirt", None) == ""
    with pytest.raises(Invalid, match="'XXXL' is not a T-shirt size; use one of XS, S, M, L"):
        rules.parse_estimate("tshirt", "XXXL")
    with pytest.raises(Invalid, match="is not a T-shirt size"):
        rules.parse_estimate("tshirt", 4)


def test_unknown_scale() -> None:
    assert rules.parse_scale("T-shirt") is Scale.TSHIRT
    with pytest.raises(Invalid) as exc:
        rules.parse_estimate("hours", 3)
    assert set(exc.value.fields) == {"scale"}


# --- roll-up --------------------------------------------------------------------------------


def test_rollup_by_points_and_by_count() -> None:
    children = [
        (5.0, "done"),
        (3.0, "in_progress"),
        (None, "done"),
        (2.0, "new"),
        (8.0, "rejected"),
    ]
    result = rules.rollup(children, WORKFLOW)
    assert result.points == 10.0  # the rejected 8 counts for nothing
    assert result.done_points == 5.0
    assert result.done_by_points == 0.5
    assert (result.items, result.done_items, result.unestimated) == (4, 2, 1)
    assert result.done_by_count == 0.5


def test_rollup_of_nothing_has_no_progress() -> None:
    empty = rules.rollup([], WORKFLOW)
    assert (empty.points, empty.done_by_points, empty.done_by_count) == (0.0, None, None)
    unestimated = rules.rollup([(None, "done")], WORKFLOW)
    assert unestimated.done_by_points is None and unestimated.done_by_count == 1.0


def test_leaves_carry_the_estimates_of_an_epic() -> None:
    # epic 1 -> features 2, 3; feature 2 -> stories 4, 5; feature 3 not split yet
    children_of = {1: [2, 3], 2: [4, 5], 4: [], 9: [1]}
    assert sorted(rules.leaves(1, children_of)) == [3, 4, 5]
    assert rules.leaves(5, children_of) == []
    assert sorted(rules.leaves(1, {1: [2], 2: [1, 3]})) == [3]  # a loop does not hang


# --- Definition of Ready and of Done --------------------------------------------------------


def test_readiness_lists_what_is_missing_in_order() -> None:
    dor = ["Estimated", "Acceptance criteria written", "Small enough"]
    state = rules.readiness(dor, {"Estimated": True, "Small enough": False})
    assert (state.ready, state.missing) == (False, ["Acceptance criteria written", "Small enough"])
    assert rules.readiness(dor, set(dor)).ready
    assert rules.readiness([], {}).ready


def test_done_warning_is_a_translatable_message_or_nothing() -> None:
    dod = ["Tested", "Documented"]
    warning = rules.done_warning(dod, ["Tested"])
    assert isinstance(warning, Message)
    assert warning == "The Definition of Done is not met; still unticked: Documented."
    assert warning.localise(lambda s: s.replace("still unticked", "reste")).endswith(
        "reste: Documented."
    )
    assert rules.done_warning(dod, {"Tested": 1, "Documented": True}) is None


def test_checklists_are_cleaned_and_bounded() -> None:
    assert rules.check_checklist([" Tested ", "", "Tested", "Reviewed"], field="dod") == [
        "Tested",
        "Reviewed",
    ]
    with pytest.raises(Invalid) as exc:
        rules.check_checklist([f"entry {i}" for i in range(21)], field="definition_of_done")
    assert set(exc.value.fields) == {"definition_of_done"}
    with pytest.raises(Invalid, match="under 200 characters"):
        rules.check_checklist(["x" * 201], field="dor")


# --- Given / When / Then --------------------------------------------------------------------


def test_english_scenarios_with_bullets_bold_and_titles() -> None:
    text = """
Scenario: Sign in
- **Given** a registered user
- And the sign-in page is open
* When she types her password
* Then she sees her products
  But not the admin menu

Some remark that is not a step.
1. given a locked account
2. WHEN she signs in
3. THEN she is told why
"""
    first, second = rules.parse_scenarios(text)
    assert first.title == "Sign in"
    assert first.given == ["a registered user", "the sign-in page is open"]
    assert first.when == ["she types her password"]
    assert first.then == ["she sees her products", "not the admin menu"]
    assert first.complete
    assert (second.title, second.given, second.then) == (
        "",
        ["a locked account"],
        ["she is told why"],
    )


def test_french_scenarios_with_accents_or_without() -> None:
    text = """Scénario : Paiement refusé
Étant donné un panier de 3 articles
Et une carte expirée
Lorsqu'elle valide la commande
Alors elle voit « Carte refusée »
Mais son panier est conservé

Scenario 2 : relance
Soit une commande en attente
Quand 24 heures passent
alors un e-mail part
etant donnee une autre commande
"""
    first, second, third = rules.parse_scenarios(text)
    assert first.title == "Paiement refusé"
    assert first.given == ["un panier de 3 articles", "une carte expirée"]
    assert first.when == ["elle valide la commande"]
    assert first.then == ["elle voit « Carte refusée »", "son panier est conservé"]
    assert (second.title, second.when, second.then) == (
        "relance",
        ["24 heures passent"],
        ["un e-mail part"],
    )
    assert third.given == ["une autre commande"] and not third.complete


def test_words_that_merely_start_like_keywords_are_no_steps() -> None:
    text = "Thenceforth nothing\nEtcetera\nWhenever possible\nAndré signs in\nEtant"
    assert rules.parse_scenarios(text) == []
    assert rules.parse_scenarios("") == []


# --- quality hints --------------------------------------------------------------------------

GOOD_STORY = {
    "description": "As a buyer I want to pay by card so that I receive my order sooner.",
    "acceptance_criteria": "Given a cart\nWhen I pay by card\nThen the order is confirmed",
    "estimate": 3.0,
    "typical_estimate": 3.0,
}


def _codes(title: str, **fields: object) -> list[str]:
    return [hint.code for hint in rules.quality_hints(title, **{**GOOD_STORY, **fields})]


def test_a_good_story_gets_no_hint() -> None:
    assert _codes("Pay by card") == []
    french = {
        "description": "En tant qu'acheteuse je veux payer par carte afin d'être livrée plus tôt.",
        "acceptance_criteria": "Étant donné un panier\nQuand je paie\nAlors la commande part",
    }
    assert _codes("Payer par carte", **french) == []


def test_no_acceptance_criteria() -> None:
    hints = rules.quality_hints("Pay by card", **{**GOOD_STORY, "acceptance_criteria": "  "})
    assert [(h.code, h.message) for h in hints] == [
        (
            "no_acceptance_criteria",
            "No acceptance criteria yet: say how the team will know this is done.",
        )
    ]
    assert _codes("Explore", acceptance_criteria="", item_type="spike") == []


@pytest.mark.parametrize(
    "description",
    [
        "As a buyer I want to pay by card so that I receive my order sooner.",
        "En tant qu'acheteur je veux payer afin de recevoir ma commande.",
        "En tant qu'acheteur je veux payer pour que la commande parte.",
        "En tant qu'acheteur je veux payer de sorte que la commande parte.",
        "En tant qu’acheteur je veux payer afin d’être livré.",
    ],
)
def test_a_stated_value_in_either_language(description: str) -> None:
    assert "no_value" not in _codes("Pay", description=description)


def test_a_story_without_its_value() -> None:
    assert "no_value" in _codes("Pay", description="As a buyer I want to pay by card.")
    assert "no_value" in _codes("Payer", description="En tant qu'acheteur je veux payer.")
    assert "no_value" not in _codes("Fix crash", description="It crashes.", item_type="bug")


def test_an_estimate_far_above_the_usual_size() -> None:
    hints = rules.quality_hints("Pay", **{**GOOD_STORY, "estimate": 13.0})
    big = next(h for h in hints if h.code == "estimate_too_big")
    assert big.message == (
        "The estimate 13 is more than twice the team's usual 3: consider splitting the story."
    )
    assert isinstance(big.message, Message)  # translated when shown
    assert "estimate_too_big" not in _codes("Pay", estimate=6.0)  # twice is still fine
    assert "estimate_too_big" not in _codes("Pay", estimate=40.0, typical_estimate=None)
    assert "estimate_too_big" not in _codes("Epic", estimate=100.0, item_type="epic")


def test_typical_estimate_is_the_median() -> None:
    assert rules.typical_estimate([1.0, 3.0, None, 8.0]) == 3.0
    assert rules.typical_estimate([2.0, 3.0, 5.0, 8.0]) == 4.0
    assert rules.typical_estimate([None]) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The page must be FAST and user-friendly, etc.", ["FAST", "user-friendly", "etc"]),
        ("Une interface intuitive, rapide et conviviale.", ["intuitive", "rapide", "conviviale"]),
        ("Un écran ERGONOMIQUE, facile, etc.", ["ERGONOMIQUE", "facile", "etc"]),
        ("Export, import and so on.", ["and so on"]),
        ("Intuïtif? yes, and INTUITIF again", ["Intuïtif"]),
    ],
)
def test_vague_words_whole_word_any_case_or_accent(text: str, words: list[str]) -> None:
    assert rules.vague_words(text) == words


def test_vague_words_are_whole_words_only() -> None:
    assert rules.vague_words("breakfast, simplex, easygoing, facilement-ish, etcd") == []
    hints = rules.quality_hints("Fast export", **GOOD_STORY)
    assert [h.message for h in hints if h.code == "vague_words"] == [
        "Vague words: Fast. Say what you will check instead (a time, a number, a step)."
    ]


def test_language_hint_narrows_the_vocabulary() -> None:
    assert rules.vague_words("rapide and fast", "en") == ["fast"]
    assert rules.vague_words("rapide and fast", "fr-FR") == ["rapide"]
    assert rules.vague_words("rapide and fast", None) == ["rapide", "fast"]


@pytest.mark.parametrize(
    "description",
    [
        "As a buyer I want to pay. As an admin I want to refund so that buyers trust us.",
        "En tant qu'acheteur je veux payer. En tant qu'admin je veux rembourser afin de ...",
        "As a buyer I want to pay by card and to download my invoice so that I am done.",
        "As a buyer I want to pay by card and I want a receipt so that I keep track.",
        "En tant qu'acheteur je veux payer et télécharger ma facture afin de suivre.",
        "En tant qu'acheteur je veux payer et je veux une facture afin de suivre.",
    ],
)
def test_several_stories_in_one(description: str) -> None:
    assert "several_stories" in _codes("Pay", description=description)


@pytest.mark.parametrize(
    "description",
    [
        "As a buyer I want to pay by card and PayPal so that I have a choice.",
        "As a buyer I want to pay so that I can leave and come back later.",
        "En tant qu'acheteur je veux la liste des produits et leurs prix afin de choisir.",
    ],
)
def test_one_story_with_and_is_not_several(description: str) -> None:
    assert "several_stories" not in _codes("Pay", description=description)


def test_hint_messages_are_marked_english_templates() -> None:
    codes = {
        "no_acceptance_criteria": rules.quality_hints("x", item_type="story"),
        "vague": rules.quality_hints("fast x", acceptance_criteria="Then ok", item_type="bug"),
    }
    assert [h.code for h in codes["no_acceptance_criteria"]] == [
        "no_acceptance_criteria",
        "no_value",
    ]
    vague = codes["vague"][0].message
    assert isinstance(vague, Message) and vague.template.startswith("Vague words: {words}.")


# --- @mentions ------------------------------------------------------------------------------


def test_mentions_in_a_comment() -> None:
    text = (
        "@camille.martin can you look? cc @Bob, (@dev@example.org) and @zoé.\n"
        "Mail me at alice@example.org; `@not_in_code` @camille.martin again"
    )
    assert rules.mentions(text) == {"camille.martin", "bob", "dev@example.org", "zoé"}


def test_no_mentions() -> None:
    assert rules.mentions("") == set()
    assert rules.mentions("write to a@b.org or @ alone") == set()
    assert rules.mentions("```\n@inside a fence\n```\nthen @after") == {"after"}
