"""Does the engine's time per page stay flat as the catalogue grows?

For each size (100/200/400/800 modules by default) generates a realistic project: modules with varied
titles, summaries, objectives and sections (drawn from a seeded mix of topics and sentences, never one
module repeated), learning paths of 6-12 modules per role, and procedures. Then, in the same
run and on the same staged pages:

- partnerkit: the pages and mkdocs.yml partnerkit renders (its nav: modules above
  ``nav_section_limit`` left out, listed on the module index), built by ``mkdocs build --strict``;
- the anchor: a plain ``mkdocs build --strict`` of the same pages with the full nav (every module
  listed, as before ``nav_section_limit``).

Prints time per page of both, their ratio, the growth of time per page from the smallest to the
largest size (goal: partnerkit within 1.2x) and the size of a module page at 500 modules (goal
<= 40 KB).

    .venv/bin/python benchmarks/nav_scale.py [--sizes 100,200,400,800] [--repeat 3] [--page-size-at 500]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from generator.engine import engine_command, engine_environment, run_engine, write_stage
from generator.load.content import load_project
from generator.render import render_site

TOPICS = [
    "renewal calendar", "health score", "seat expansion", "executive sponsor", "onboarding plan",
    "data import", "single sign-on", "usage dashboard", "churn signals", "discount approval",
    "partner margin", "competitive displacement", "security review", "procurement", "quarterly review",
    "success plan", "adoption campaign", "support escalation", "pilot scope", "ROI model",
    "pricing tiers", "contract terms", "integration catalogue", "admin training", "champion building",
]
VERBS = ["Explain", "Run", "Prepare", "Qualify", "Present", "Negotiate", "Plan", "Diagnose", "Close", "Review"]
AUDIENCES = ["the CFO", "the IT lead", "a new admin", "the champion", "procurement", "the executive sponsor",
             "a sceptical end user", "the customer's CSM team"]
SENTENCES = [
    "Start by asking {audience} what changed since the last call, then connect it to the {topic}.",
    "Most partners skip the {topic} and lose a quarter; put it on the agenda of the first meeting.",
    "Bring the customer's own numbers: a {topic} built on their data is believed, a generic one is not.",
    "If {audience} pushes back, show the {topic} of a similar customer and the result they reached.",
    "Write the next step down with a date and an owner before the call ends.",
    "The {topic} is where Enterprise and SMB customers differ most: adjust the depth to the segment.",
    "A good {topic} takes twenty minutes to prepare and saves two follow-up calls.",
    "Record what {audience} cares about in the CRM so the next person does not ask again.",
    "Check the {topic} against the contract before promising anything to {audience}.",
    "Time boxes help: ten minutes on the {topic}, five on questions, five on the plan.",
    "When the numbers look wrong, say so early and ask {audience} for the source.",
    "Partners who rehearse the {topic} with a colleague close noticeably faster.",
]
ROLES = ["sales", "cs", "presales"]


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(
        rng.choice(SENTENCES).format(topic=rng.choice(TOPICS), audience=rng.choice(AUDIENCES))
        for _ in range(sentences)
    )


def module(rng: random.Random, index: int, previous: str | None) -> dict:
    topic = rng.choice(TOPICS)
    sections = []
    for part in range(rng.randint(2, 5)):
        body = "\n\n".join(paragraph(rng, rng.randint(2, 5)) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.5:
            body += "\n\n" + "\n".join(f"- {rng.choice(VERBS)} the {rng.choice(TOPICS)}" for _ in range(rng.randint(2, 5)))
        sections.append({"title": f"{rng.choice(VERBS)} the {rng.choice(TOPICS)} ({part + 1})", "body": body})
    data = {
        "kind": "module",
        "id": f"m{index:04d}",
        "title": f"{rng.choice(VERBS)} the {topic} for {rng.choice(AUDIENCES)} ({index})",
        "summary": paragraph(rng, 1),
        "roles": sorted(rng.sample(ROLES, rng.randint(1, 3))),
        "minutes": rng.choice([5, 10, 15, 20, 30, 45]),
        "objectives": [f"{rng.choice(VERBS)} the {rng.choice(TOPICS)}" for _ in range(rng.randint(1, 4))],
        "sections": sections,
    }
    if previous is not None and rng.random() < 0.3:
        data["prerequisites"] = [previous]
    return data


def make_project(root: Path, modules: int, seed: int = 14) -> None:
    """A project of ``modules`` varied modules, one path per 10 modules and 12 procedures."""
    rng = random.Random(seed)
    (root / "content" / "modules").mkdir(parents=True)
    (root / "site_config.yml").write_text(
        "site_name: Benchmark Academy\nsite_url: https://partners.example.com/\nvendor: Bench\nproduct: Bench Cloud\n"
    )
    ids = []
    for index in range(modules):
        data = module(rng, index, ids[-1] if ids else None)
        ids.append(data["id"])
        (root / "content" / "modules" / f"{data['id']}.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    documents = []
    for number, start in enumerate(range(0, modules, 10)):
        chosen = ids[start:start + rng.randint(6, 12)]
        documents.append({"kind": "path", "id": f"path-{number}", "title": f"Path {number}: {rng.choice(TOPICS)}",
                          "role": ROLES[number % 3], "summary": paragraph(rng, 1), "modules": chosen})
    for number in range(12):
        documents.append({
            "kind": "procedure", "id": f"proc-{number}", "title": f"{rng.choice(VERBS)} the {rng.choice(TOPICS)}",
            "phase": "renewal", "trigger": "renewal_date - 90d", "goal": paragraph(rng, 1),
            "steps": [{"when": f"-{days}d", "action": paragraph(rng, 1), "owner": rng.choice(["vendor", "partner"]),
                       "checklist": [f"{rng.choice(VERBS)} the {rng.choice(TOPICS)}"]} for days in (90, 60, 30)],
        })
    (root / "content" / "other.yml").write_text(yaml.safe_dump_all(documents, sort_keys=False))


def plain_mkdocs(stage: Path, output: Path) -> None:
    """The anchor: ``mkdocs build --strict`` run directly on a staging folder."""
    subprocess.run(
        engine_command("mkdocs", "build", "--strict", "--clean", "--config-file", str(stage / "mkdocs.yml"),
                       "--site-dir", str(output)),
        check=True, capture_output=True, cwd=stage, env=engine_environment(),
    )


def timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(work: Path, modules: int, repeat: int, anchor: bool) -> dict:
    root = work / f"project-{modules}"
    make_project(root, modules)
    catalog = load_project(root)
    rendered = render_site(catalog)
    stage = work / f"stage-{modules}"
    write_stage(rendered, stage, root)
    pages = sum(1 for name in rendered.pages if name.endswith(".md"))
    result = {"modules": modules, "pages": pages}
    result["partnerkit"] = timed(lambda: run_engine("mkdocs", stage, work / f"site-{modules}"), repeat)
    result["page_kb"] = (work / f"site-{modules}/modules/m0001/index.html").stat().st_size / 1024
    if anchor:
        with (root / "site_config.yml").open("a") as config:
            config.write("nav_section_limit: 1000000\n")  # every module in the nav, as before the limit
        full = render_site(load_project(root))
        full_stage = work / f"stage-{modules}-full"
        write_stage(full, full_stage, root)
        result["anchor"] = timed(lambda: plain_mkdocs(full_stage, work / f"site-{modules}-full"), repeat)
        result["anchor_page_kb"] = (work / f"site-{modules}-full/modules/m0001/index.html").stat().st_size / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,400,800", help="module counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs per measurement (median)")
    parser.add_argument("--page-size-at", type=int, default=500, help="also report a module page's size here (0: no)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        results = [measure(work, size, options.repeat, anchor=True) for size in sizes]
        print(f"median of {options.repeat} engine runs per figure; anchor: plain mkdocs build --strict, full nav, same pages")
        print(f"{'modules':>7} {'pages':>5} | {'partnerkit ms/page':>18} {'anchor ms/page':>14} {'ratio':>6} | "
              f"{'module page KB':>14} {'anchor KB':>9}")
        for r in results:
            print(f"{r['modules']:>7} {r['pages']:>5} | {r['partnerkit'] * 1000 / r['pages']:>18.2f} "
                  f"{r['anchor'] * 1000 / r['pages']:>14.2f} {r['partnerkit'] / r['anchor']:>6.2f} | "
                  f"{r['page_kb']:>14.1f} {r['anchor_page_kb']:>9.1f}")
        if len(results) > 1:
            first, last = results[0], results[-1]

            def growth(key: str) -> float:
                return (last[key] / last["pages"]) / (first[key] / first["pages"])

            print(f"time per page, {last['modules']} vs {first['modules']} modules: partnerkit {growth('partnerkit'):.2f}x "
                  f"(goal <= 1.2x), anchor {growth('anchor'):.2f}x")
        if options.page_size_at:
            at = next((r for r in results if r["modules"] == options.page_size_at), None) or measure(
                work, options.page_size_at, 1, anchor=False)
            print(f"module page at {options.page_size_at} modules: {at['page_kb']:.1f} KB (goal <= 40 KB)")


if __name__ == "__main__":
    main()
