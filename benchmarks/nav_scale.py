"""Does a build's time per page stay flat as the catalogue grows, next to the engine's own build?

For each size (100/200/400/800 modules by default) generates a realistic project: modules with varied
titles, summaries, objectives and sections (drawn from a seeded mix of topics and sentences, never one
module repeated; the same first modules at every size), learning paths of 6-12 modules per role (one per
10 modules, at most 40, so every size lists them all and a page never shrinks as the catalogue grows),
and procedures. Then, per size, in turn (A B A B ..., the order alternating), each a fresh process as a
user runs it:

- ``partnerkit build`` of the project from cold (no cache, no site), start-up included;
- the anchor: a plain ``mkdocs build`` of the very stage partnerkit wrote (the same pages and mkdocs.yml).

Prints time per page of both, their ratio (pair by pair), the growth of partnerkit's time per page from
the smallest to the largest size (goal: within 1.2x) and the size of a module page at each size (it must
not fall as the catalogue grows) and at 500 modules (goal <= 40 KB).

    python benchmarks/nav_scale.py [--sizes 100,200,400,800] [--repeat 3] [--page-size-at 500]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from paired import command, goal, interleaved, print_load_note, ratio, run_command  # noqa: E402

from generator.engine import engine_command, engine_environment, write_stage
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
MAX_PATHS = 40
"""Learning paths in the largest catalogue (below ``nav_section_limit``'s default, so all are in the nav)."""


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
    for number, start in enumerate(range(0, min(modules, MAX_PATHS * 10), 10)):
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


def measure(work: Path, modules: int, repeat: int) -> dict:
    """``partnerkit build`` from cold beside plain ``mkdocs build`` of the same stage, interleaved."""
    root = work / f"project-{modules}"
    make_project(root, modules)
    rendered = render_site(load_project(root))
    stage = work / f"stage-{modules}"
    write_stage(rendered, stage, root)
    pages = sum(1 for name in rendered.pages if name.endswith(".md"))
    partnerkit = [command("partnerkit"), "build", "--quiet"]
    mkdocs = engine_command("mkdocs", "build", "--clean", "--config-file", str(stage / "mkdocs.yml"),
                            "--site-dir", str(work / f"site-{modules}-mkdocs"))

    def cold_build():
        shutil.rmtree(root / ".partnerkit-cache", ignore_errors=True)
        shutil.rmtree(root / "site", ignore_errors=True)
        return run_command(partnerkit, root)

    ours, anchor = interleaved(repeat, [("partnerkit build", cold_build),
                                        ("mkdocs build", lambda: run_command(mkdocs, stage, engine_environment()))])
    module_pages = sorted((root / "site/modules").glob("m*/index.html"))
    return {"modules": modules, "pages": pages, "partnerkit": ours.wall, "anchor": anchor.wall,
            "ratio": ratio(ours, anchor), "page_kb": (root / "site/modules/m0001/index.html").stat().st_size / 1024,
            "largest_kb": max(page.stat().st_size for page in module_pages) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,400,800", help="module counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved pairs per size (median)")
    parser.add_argument("--page-size-at", type=int, default=500, help="also report a module page's size here (0: no)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    print_load_note()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        results = [measure(work, size, options.repeat) for size in sizes]
        print(f"median of {options.repeat} interleaved pairs per size, each a fresh process; anchor: plain mkdocs build "
              f"of the same stage")
        print(f"{'modules':>7} {'pages':>5} | {'partnerkit ms/page':>18} {'mkdocs ms/page':>14} {'ratio':>6} | "
              f"{'m0001 page KB':>13} {'largest module page KB':>22}")
        for r in results:
            print(f"{r['modules']:>7} {r['pages']:>5} | {r['partnerkit'] * 1000 / r['pages']:>18.2f} "
                  f"{r['anchor'] * 1000 / r['pages']:>14.2f} {r['ratio']:>6.2f} | "
                  f"{r['page_kb']:>13.1f} {r['largest_kb']:>22.1f}")
        if len(results) > 1:
            first, last = results[0], results[-1]

            def growth(key: str) -> float:
                return (last[key] / last["pages"]) / (first[key] / first["pages"])

            goal(f"partnerkit's time per page, {last['modules']} vs {first['modules']} modules (mkdocs: "
                 f"{growth('anchor'):.2f}x)", growth("partnerkit"), 1.2, "x")
            sizes_kb = [r["page_kb"] for r in results]
            print(f"module page size as the catalogue grows: {' <= '.join(f'{kb:.1f}' for kb in sizes_kb)} KB: "
                  f"{'never falls' if sizes_kb == sorted(sizes_kb) else 'falls where a nav section passes nav_section_limit (50) and its entries leave the nav'}")
        if options.page_size_at:
            at = next((r for r in results if r["modules"] == options.page_size_at), None) or measure(
                work, options.page_size_at, 1)
            goal(f"module page at {options.page_size_at} modules, KB", at["page_kb"], 40, " KB")


if __name__ == "__main__":
    main()
