"""``partnerkit export-qti``: a QTI 2.1 package that validates against the official schema and says
what the quiz says."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from generator.certification.qti import ncname, qti_package, write_qti_package
from generator.cli import cli
from generator.model.content import Quiz

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent
QTI_SCHEMA = HERE.parent / "data/qti/qtiv2p1/imsqti_v2p1.xsd"
NS = {"qti": "http://www.imsglobal.org/xsd/imsqti_v2p1", "cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The official IMS QTI 2.1 schema, its imports (xml.xsd, XInclude, MathML 2, APIP) read from local copies."""
    return etree.XMLSchema(etree.parse(str(QTI_SCHEMA)))


def load_quiz(**changes: object) -> Quiz:
    data = yaml.safe_load((HERE / "all-types.yml").read_text(encoding="utf-8"))
    data.update(changes)
    return Quiz.model_validate(data)


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    """An exam with every question type, a Japanese question id, an id starting with a digit, draw and shuffle."""
    return load_quiz()


@pytest.fixture(scope="module")
def package(quiz: Quiz) -> dict[str, etree._Element]:
    return {name: etree.fromstring(data) for name, data in qti_package(quiz).items()}


def item_of(package: dict[str, etree._Element], question_id: str) -> etree._Element:
    (item,) = [root for root in package.values() if root.get("identifier") == ncname(question_id, "q-")
               and root.tag == f"{{{NS['qti']}}}assessmentItem"]
    return item


def texts(item: etree._Element, values: list[str]) -> list[str]:
    """The choice texts (without inline feedback) of the choice identifiers ``values``."""
    return [item.xpath("string(.//qti:simpleChoice[@identifier=$id]/text())", namespaces=NS, id=value).strip()
            for value in values]


def correct_values(item: etree._Element) -> list[str]:
    return item.xpath("qti:responseDeclaration/qti:correctResponse/qti:value/text()", namespaces=NS)


def test_every_qti_file_is_valid_against_the_official_schema(package, schema) -> None:
    qti_files = [name for name in package if name != "imsmanifest.xml"]
    assert len(qti_files) == 1 + 7  # the test and one item per question
    for name in qti_files:
        assert schema.validate(package[name]), f"{name}: {schema.error_log}"


def test_the_schema_rejects_what_qti_forbids(package, schema) -> None:
    broken = etree.fromstring(etree.tostring(package["items/triggers.xml"]))
    del broken.attrib["timeDependent"]
    assert not schema.validate(broken)


def test_the_example_quiz_is_valid_too(schema) -> None:
    example = Quiz.model_validate(yaml.safe_load(
        (HERE.parent.parent / "content/quizzes/sales-foundations.yml").read_text(encoding="utf-8")))
    for name, data in qti_package(example).items():
        if name != "imsmanifest.xml":
            assert schema.validate(etree.fromstring(data)), f"{name}: {schema.error_log}"


def test_manifest_declares_every_file_and_the_test_depends_on_every_item(package) -> None:
    manifest = package["imsmanifest.xml"]
    resources = manifest.xpath("cp:resources/cp:resource", namespaces=NS)
    by_type: dict[str, list[etree._Element]] = {}
    for resource in resources:
        by_type.setdefault(resource.get("type"), []).append(resource)
        assert resource.xpath("cp:file/@href", namespaces=NS) == [resource.get("href")]
    (test,) = by_type["imsqti_test_xmlv2p1"]
    items = by_type["imsqti_item_xmlv2p1"]
    assert {resource.get("href") for resource in resources} | {"imsmanifest.xml"} == set(package)
    assert test.xpath("cp:dependency/@identifierref", namespaces=NS) == [item.get("identifier") for item in items]
    assert package[test.get("href")].tag == f"{{{NS['qti']}}}assessmentTest"


@pytest.mark.skipif(not os.environ.get("PARTNERKIT_IMSCP_XSD"),
                    reason="set PARTNERKIT_IMSCP_XSD to a local imscp_v1p1.xsd (not redistributable, see tests/data/qti/README.md)")
def test_manifest_is_valid_ims_content_packaging(package) -> None:
    schema = etree.XMLSchema(etree.parse(os.environ["PARTNERKIT_IMSCP_XSD"]))
    assert schema.validate(package["imsmanifest.xml"]), schema.error_log


def test_choice_questions_keep_the_right_answers_and_feedback(package, quiz) -> None:
    for question in quiz.questions:
        if not question.choices:
            continue
        item = item_of(package, question.id)
        assert texts(item, correct_values(item)) == [question.choices[i].text for i in question.correct_choices]
        (interaction,) = item.xpath(".//qti:choiceInteraction", namespaces=NS)
        assert interaction.get("maxChoices") == ("0" if question.type == "multiple" else "1")
        assert interaction.get("shuffle") == "true"
        assert item.xpath("qti:responseDeclaration/@cardinality", namespaces=NS) == [
            "multiple" if question.type == "multiple" else "single"]
    single = item_of(package, "価格")
    assert single.xpath("string(.//qti:simpleChoice[1]/qti:feedbackInline)", namespaces=NS).strip() == \
        "Yes, Starter covers 250 accounts."
    assert single.xpath("string(qti:modalFeedback)", namespaces=NS) == "Starter covers up to 250 accounts."
    assert single.xpath("qti:responseProcessing/@template", namespaces=NS) == [
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"]


def test_partial_credit_maps_each_choice_to_its_share(package) -> None:
    item = item_of(package, "triggers")
    entries = item.xpath("qti:responseDeclaration/qti:mapping/qti:mapEntry", namespaces=NS)
    shares = dict(zip(texts(item, [entry.get("mapKey") for entry in entries]),
                      (float(entry.get("mappedValue")) for entry in entries)))
    assert shares == {"A new VP of Customer Success": 0.5, "A funding round": 0.5, "A renewed CRM contract": -0.5}
    assert item.xpath("qti:responseDeclaration/qti:mapping/@lowerBound", namespaces=NS) == ["0"]
    assert item.xpath("qti:responseProcessing/@template", namespaces=NS) == [
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"]
    strict = item_of(package, "strict-multiple")
    assert not strict.xpath(".//qti:mapping", namespaces=NS)


def test_short_text_accepts_the_listed_answers_and_passes_the_pattern_on(package) -> None:
    item = item_of(package, "acronym")
    assert item.xpath(".//qti:mapEntry/@mapKey", namespaces=NS) == ["net revenue retention", "net retention"]
    assert item.xpath(".//qti:mapEntry/@caseSensitive", namespaces=NS) == ["false", "false"]
    assert correct_values(item) == ["net revenue retention"]
    assert item.xpath(".//qti:textEntryInteraction/@patternMask", namespaces=NS) == ["net (revenue )?retention"]
    pattern_only = item_of(package, "year")
    assert correct_values(pattern_only) == []
    assert pattern_only.xpath(".//qti:patternMatch/@pattern", namespaces=NS) == ["20[0-9]{2}"]


def test_ordering_expects_the_items_in_the_written_order(package) -> None:
    item = item_of(package, "renewal-steps")
    assert texts(item, correct_values(item)) == ["Health check", "Value review", "Quote", "Signature"]
    assert item.xpath("qti:responseDeclaration/@cardinality", namespaces=NS) == ["ordered"]
    (interaction,) = item.xpath(".//qti:orderInteraction", namespaces=NS)
    assert interaction.get("shuffle") == "true"
    shown = [choice.text for choice in interaction.xpath("qti:simpleChoice", namespaces=NS)]
    assert sorted(shown) == sorted(["Health check", "Value review", "Quote", "Signature"])
    assert shown != ["Health check", "Value review", "Quote", "Signature"]


def test_test_draws_shuffles_and_weights_by_points(package, quiz) -> None:
    test = package["test.xml"]
    section = test.xpath("//qti:assessmentSection", namespaces=NS)[0]
    assert section.xpath("qti:selection/@select", namespaces=NS) == ["4"]
    assert section.xpath("qti:ordering/@shuffle", namespaces=NS) == ["true"]
    assert section.xpath("qti:assessmentItemRef/qti:weight/@value", namespaces=NS) == [
        str(question.points) for question in quiz.questions]
    assert test.xpath("qti:timeLimits/@maxTime", namespaces=NS) == ["1800"]
    assert test.xpath("qti:outcomeDeclaration/@identifier", namespaces=NS) == ["SCORE", "MAXSCORE", "PASS"]
    assert test.xpath("string(//qti:setOutcomeValue[@identifier='PASS']//qti:baseValue)", namespaces=NS) == "0.75"


def test_without_draw_or_shuffle_none_is_asked_for(schema) -> None:
    quiz = load_quiz(draw=None, shuffle_questions=False, shuffle_choices=False)
    package = {name: etree.fromstring(data) for name, data in qti_package(quiz).items()}
    assert not package["test.xml"].xpath("//qti:selection | //qti:ordering", namespaces=NS)
    assert set(package["test.xml"].xpath("//qti:assessmentSection/qti:assessmentItemRef/@href", namespaces=NS)) \
        == set(package) - {"imsmanifest.xml", "test.xml"}
    assert {interaction.get("shuffle") for name, root in package.items()
            for interaction in root.xpath(".//qti:choiceInteraction", namespaces=NS)} == {"false"}
    assert all(schema.validate(root) for name, root in package.items() if name != "imsmanifest.xml")


def test_identifiers_are_ncnames_even_from_japanese_or_digit_ids(package) -> None:
    assert ncname("価格", "q-") == "価格"
    assert ncname("3-all-types", "quiz-") == "quiz-3-all-types"
    assert package["test.xml"].get("identifier") == "quiz-3-all-types"
    assert "items/item-001.xml" in package  # non-ASCII ids get ASCII file names
    assert package["items/item-001.xml"].get("identifier") == "価格"


def test_user_text_stays_text(package) -> None:
    item = item_of(package, "価格")
    assert item.xpath("string(.//qti:prompt)", namespaces=NS) == "Which plan fits 250 accounts? <b>not bold</b> & more"
    assert package["test.xml"].get("title") == 'Every question type & "quotes" <tags>'


def test_write_gives_a_zip_with_every_file_and_no_leftovers(tmp_path: Path, quiz: Quiz) -> None:
    path = write_qti_package(quiz, tmp_path / "out/exam.qti.zip")
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(qti_package(quiz))
        assert archive.read("imsmanifest.xml") == qti_package(quiz)["imsmanifest.xml"]
    assert [entry.name for entry in path.parent.iterdir()] == ["exam.qti.zip"]


def test_cli_writes_the_package_beside_you_by_default(minimal: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export-qti", "basics-check", "-p", str(minimal)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "QTI package written to basics-check.qti.zip\n"
    with zipfile.ZipFile(io.BytesIO((tmp_path / "basics-check.qti.zip").read_bytes())) as archive:
        assert "imsmanifest.xml" in archive.namelist()


def test_cli_writes_where_output_says(minimal: Path, tmp_path: Path) -> None:
    target = tmp_path / "lms/basics.zip"
    result = CliRunner().invoke(cli, ["export-qti", "-p", str(minimal), "basics-check", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"QTI package written to {target}\n"
    assert zipfile.is_zipfile(target)


def test_cli_unknown_quiz_suggests_the_close_one(minimal: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export-qti", "-p", str(minimal), "basics-chek"])
    assert result.exit_code == 1
    assert result.output == "Error: unknown quiz 'basics-chek' (did you mean 'basics-check'?)\n"
    assert list(tmp_path.glob("*.zip")) == []
