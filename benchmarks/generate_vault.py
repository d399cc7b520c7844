"""A deterministic generator of synthetic Obsidian vaults, for benchmarks and stress tests.

    python -m benchmarks.generate_vault OUT --notes 1000 [--seed 0] [--link-density 4]

The same (notes, seed, link_density) always writes the same files, byte for byte. What a
vault holds:

* Korean and English note names ("역전파 알고리즘 12", "Gradient descent 7") in nested
  folders, some with spaces, parentheses and Hangul in their names;
* about 5% of the notes stored under an NFD file name (links always write NFC);
* a few names shared by 2-3 notes in different folders (linked mostly by folder path);
* YAML front matter (tags, aliases, a date) on about a third of the notes;
* Korean and English headings, prose paragraphs of varied length, lists, a table now and
  then, inline math and code, and on about half the notes a code fence holding
  `[[not a link]]`;
* on average `link_density` wikilinks per note: `[[Name]]`, `[[Folder/Name]]`,
  `[[Name|text]]` and `[[Name#Heading]]` (always to a heading the target has), about 2%
  to notes that do not exist; plus `![[image.png]]` embeds of attachments that exist;
* with `big_folders`, that share of the notes in two flat folders as real vaults grow
  them: `People/` (one note per person) and `Daily Notes/Journal/` (one per day,
  `2015-01-01` on), linked like the others.
"""

from __future__ import annotations

import argparse
import datetime
import random
import struct
import sys
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path


def _png(width: int = 1, height: int = 1) -> bytes:
    """A tiny valid PNG: one opaque grey pixel (8-bit greyscale)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


PNG = _png()

KOREAN_TOPICS = (
    "역전파 알고리즘", "경사 하강법", "손실 함수", "활성 함수", "합성곱 신경망", "순환 신경망",
    "어텐션 메커니즘", "정규화 기법", "드롭아웃", "배치 정규화", "교차 엔트로피", "확률 분포",
    "베이즈 정리", "최대 가능도 추정", "잠재 벡터", "임베딩 공간", "강화 학습", "과적합",
    "편향과 분산", "선형 회귀", "로지스틱 회귀", "서포트 벡터 머신", "결정 트리", "앙상블 학습",
    "차원 축소", "주성분 분석", "군집화", "미분", "연쇄 법칙", "행렬 분해", "고유값", "텐서 연산",
    "학습률 스케줄링", "가중치 초기화", "데이터 증강", "전이 학습", "자기 지도 학습", "생성 모델",
    "몬테카를로 샘플링", "정보 이론", "기대값", "조건부 확률",
)
ENGLISH_TOPICS = (
    "Gradient descent", "Backpropagation", "Loss function", "Softmax", "Cross entropy",
    "Batch normalization", "Layer normalization", "Residual connection", "Attention",
    "Transformer", "Word embedding", "Tokenization", "Beam search", "Variational autoencoder",
    "Diffusion model", "GAN training", "Learning rate", "Adam optimizer", "Weight decay",
    "Early stopping", "Cross validation", "Bias-variance tradeoff", "Markov chain",
    "Monte Carlo sampling", "KL divergence", "Entropy", "Jacobian", "Hessian", "Eigenvalue",
    "SVD", "Convolution", "Pooling", "Regularization", "Overfitting", "Hyper Parameter",
    "Transformer 구조", "GAN 학습 팁", "ResNet 정리",
)
BASE_FOLDERS = (
    "",
    "Inbox",
    "1. Projects/논문 리뷰",
    "2. Areas/Deep Learning",
    "2. Areas/수학 기초",
    "2. Areas/수학 기초/선형 대수",
    "3. Resource(정보 저장소)",
    "3. Resource(정보 저장소)/강의 노트",
    "4. Archive/AI 공부/Ai Tech 딥러닝 공부",
    "Daily Notes/2024",
)
SUBFOLDER_NAMES = ("묶음", "Part", "주제 모음", "Chapter")
HEADINGS = (
    "개요", "정의", "직관적 이해", "수식 유도", "예시", "구현", "한계와 주의점", "관련 개념",
    "참고 자료", "왜 작동하는가?", "Overview", "Definition", "Intuition", "Derivation",
    "Examples", "Implementation notes", "Pitfalls", "Related concepts", "References",
    "Open questions", "PyTorch 구현", "Q&A", "실험 결과", "Summary",
)
SUBHEADINGS = ("세부 사항", "Details", "증명", "Proof sketch", "코드", "Code", "메모", "Notes")
KOREAN_SENTENCES = (
    "이 개념은 신경망을 학습시킬 때 가장 먼저 마주치는 주제 중 하나다.",
    "핵심은 손실을 줄이는 방향으로 파라미터를 조금씩 옮기는 것이다.",
    "수식으로 쓰면 간단하지만 실제 구현에서는 수치 안정성을 신경 써야 한다.",
    "데이터가 적을 때는 과적합이 쉽게 일어나므로 검증 세트를 따로 두는 것이 좋다.",
    "미니배치 크기에 따라 기울기의 분산이 달라진다.",
    "확률적으로 해석하면 이 값은 모델이 데이터를 얼마나 잘 설명하는지를 나타낸다.",
    "학습률이 너무 크면 발산하고, 너무 작으면 수렴이 느리다.",
    "실험해 보면 초기값에 따라 결과가 꽤 크게 달라진다.",
    "이 부분은 강의에서 빠르게 지나가서 다시 정리해 둔다.",
    "직관적으로는 오차를 뒤에서 앞으로 전달한다고 생각하면 된다.",
    "행렬 곱으로 묶어서 계산하면 GPU에서 훨씬 빠르다.",
    "정규화를 넣으면 학습이 안정되지만 추론할 때의 동작이 달라진다는 점에 주의한다.",
    "논문에서는 이 방법이 기존 방법보다 일관되게 좋다고 주장한다.",
    "아직 완전히 이해하지 못한 부분이 있어서 나중에 다시 볼 것.",
    "비슷한 아이디어가 여러 분야에서 다른 이름으로 등장한다.",
    "손으로 작은 예제를 계산해 보면 이해가 훨씬 쉽다.",
)
ENGLISH_SENTENCES = (
    "The idea is simple: move the parameters a little in the direction that lowers the loss.",
    "In practice the numerical details matter more than the formula suggests.",
    "This is where most of the training time goes.",
    "A small worked example makes the derivation much easier to follow.",
    "The original paper motivates it with a probabilistic argument.",
    "With a larger batch the gradient estimate has lower variance.",
    "It is worth checking the shapes of every tensor at this step.",
    "Most frameworks implement this for you, but it helps to know what happens inside.",
    "The same trick shows up again in sequence models.",
    "I am still not sure why this works so well on small data sets.",
    "Regularisation trades a little bias for a lot less variance.",
    "Think of it as passing the error backwards through the chain of functions.",
    "There are several variants; the differences are mostly in the step size rule.",
    "The result depends heavily on how the weights are initialised.",
)
KOREAN_LINK_SENTENCES = ("자세한 내용은 {} 참고.", "{}와 함께 보면 좋다.", "이 부분은 {}에서 다룬다.",
                         "{}의 결과를 그대로 쓴다.", "비교: {}")
ENGLISH_LINK_SENTENCES = ("See {} for details.", "This builds on {}.", "Compare with {}.",
                          "{} explains the background.", "Related: {}")
DISPLAY_TEXTS = ("이 개념", "앞의 정리", "여기", "see here", "the derivation", "that note",
                 "기본 아이디어", "background")
TAGS = ("딥러닝", "머신러닝", "수학", "확률론", "최적화", "논문", "강의", "deep-learning", "math",
        "todo", "review", "nlp", "vision")
PEOPLE_FOLDER = "People"
DAILY_FOLDER = "Daily Notes/Journal"
KOREAN_PEOPLE = ("김민준", "이서연", "박지호", "최수아", "정우진", "강하은", "조현우", "윤지민")
ENGLISH_PEOPLE = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Claude Shannon",
                  "Yann LeCun", "Geoffrey Hinton", "Fei-Fei Li", "Andrej Karpathy")
MISSING_KOREAN = "아직 없는 노트"
MISSING_ENGLISH = "Unwritten note"


@dataclass
class _Plan:
    folder: str  # "" for the vault root
    name: str  # NFC
    english: bool
    headings: list[tuple[int, str]] = field(default_factory=list)
    nfd: bool = False

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}" if self.folder else self.name


def _folders(notes: int, rng: random.Random) -> list[str]:
    """The base folders, plus enough nested ones to keep about 40 notes per folder."""
    folders = list(BASE_FOLDERS)
    counters: dict[str, int] = {}
    while len(folders) < max(len(BASE_FOLDERS), notes // 40):
        parent = rng.choice(folders[1:])
        kind = rng.choice(SUBFOLDER_NAMES)
        counters[kind] = counters.get(kind, 0) + 1
        folders.append(f"{parent}/{kind} {counters[kind]}")
    return folders


def _big_folder_plans(count: int, rng: random.Random) -> list[_Plan]:
    """Notes of the flat folders real vaults grow: people (or plugins, clippings) and
    daily notes, half each, every one a note of its own in one folder."""
    plans = []
    day = datetime.date(2015, 1, 1)
    for k in range(count):
        if k % 2:
            plans.append(_Plan(DAILY_FOLDER, day.isoformat(), rng.random() < 0.45))
            day += datetime.timedelta(days=1)
        else:
            english = rng.random() < 0.45
            name = rng.choice(ENGLISH_PEOPLE if english else KOREAN_PEOPLE)
            plans.append(_Plan(PEOPLE_FOLDER, f"{name} {k // 2 + 1}", english))
        if rng.random() < 0.5:
            plans[-1].headings.append((2, rng.choice(HEADINGS)))
    return plans


def _plan_notes(notes: int, rng: random.Random, big_folders: float = 0.0) -> list[_Plan]:
    big = round(notes * big_folders)
    folders = _folders(notes - big, rng)
    plans: list[_Plan] = []
    counters: dict[str, int] = {}
    shared: dict[str, list[_Plan]] = {}  # names used in more than one folder (or that may be)
    for _ in range(notes - big):
        folder = rng.choice(folders)
        reusable = [group for group in shared.values()
                    if len(group) < 3 and all(p.folder != folder for p in group)]
        if reusable and rng.random() < 0.03:
            first = rng.choice(reusable)[0]
            plan = _Plan(folder, first.name, first.english)
            shared[first.name].append(plan)
        else:
            english = rng.random() < 0.45
            topic = rng.choice(ENGLISH_TOPICS if english else KOREAN_TOPICS)
            counters[topic] = counters.get(topic, 0) + 1
            plan = _Plan(folder, f"{topic} {counters[topic]}", english)
            if rng.random() < 0.1:
                shared[plan.name] = [plan]
        count = rng.choice((1, 2, 2, 3, 3, 4, 5))
        for heading in rng.sample(HEADINGS, count):
            plan.headings.append((2, heading))
            if rng.random() < 0.25:
                plan.headings.append((3, f"{rng.choice(SUBHEADINGS)} ({heading})"))
        plans.append(plan)
    plans += _big_folder_plans(big, rng) if big else []
    hangul = [p for p in plans if unicodedata.normalize("NFD", p.name) != p.name]
    for plan in rng.sample(hangul, min(len(hangul), round(notes * 0.05))):
        plan.nfd = True
    return plans


def _attachments(notes: int, plans: list[_Plan], rng: random.Random) -> list[str]:
    """Vault paths of the images: most in `attachments/`, some beside the notes."""
    paths = []
    for k in range(1, max(3, notes // 10) + 1):
        name = f"그림 {k}.png" if k % 3 == 0 else f"image-{k}.png"
        folder = "attachments" if rng.random() < 0.8 else rng.choice(plans).folder
        paths.append(f"{folder}/{name}" if folder else name)
    return paths


def _link(plan: _Plan, target: _Plan, ambiguous: bool, rng: random.Random) -> str:
    """One wikilink to `target`, in one of the forms Obsidian writes."""
    by_path = ambiguous and rng.random() < 0.8
    name = target.path if by_path else target.name
    roll = rng.random()
    if roll < 0.15 and target.folder:
        return f"[[{target.path}]]"
    if roll < 0.40:
        return f"[[{name}|{rng.choice(DISPLAY_TEXTS)}]]"
    # A bare name shared by several notes resolves to one of them, maybe not `target`:
    # only link to a heading where the link names `target` itself.
    if roll < 0.60 and target.headings and (by_path or not ambiguous):
        heading = rng.choice(target.headings)[1]
        if rng.random() < 0.25:
            return f"[[{name}#{heading}|{heading}]]"
        return f"[[{name}#{heading}]]"
    return f"[[{name}]]"


def _sentences(english: bool, count: int, rng: random.Random) -> list[str]:
    pool_first = ENGLISH_SENTENCES if english else KOREAN_SENTENCES
    pool_other = KOREAN_SENTENCES if english else ENGLISH_SENTENCES
    return [rng.choice(pool_other if rng.random() < 0.2 else pool_first) for _ in range(count)]


def _paragraph(english: bool, rng: random.Random) -> list[str]:
    length = rng.choice((1, 2, 2, 3, 3, 4, 5)) if rng.random() < 0.85 else rng.randint(8, 20)
    sentences = _sentences(english, length, rng)
    if rng.random() < 0.15:
        sentences.append(rng.choice(("식으로는 $L = -\\sum_i y_i \\log \\hat{y}_i$ 이다.",
                                     "The update is $\\theta \\leftarrow \\theta - \\eta \\nabla L$.")))
    if rng.random() < 0.15:
        sentences.append(rng.choice(("**중요**: `loss.backward()` 전에 기울기를 0으로 만든다.",
                                     "Call `optimizer.zero_grad()` *before* the backward pass.")))
    return sentences


def _note_text(plan: _Plan, links: list[str], embeds: list[str], rng: random.Random) -> str:
    out: list[str] = []
    if rng.random() < 0.35:
        tags = rng.sample(TAGS, rng.randint(1, 3))
        out += ["---", f"tags: [{', '.join(tags)}]"]
        if rng.random() < 0.5:
            out.append(f"aliases: [{plan.name} {'notes' if plan.english else '정리'}]")
        if rng.random() < 0.3:
            out.append(f"created: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        out += ["---", ""]
    if rng.random() < 0.3:
        out += [f"# {plan.name}", ""]

    # Blocks: each a list of lines; links are dropped into them afterwards.
    blocks: list[list[str]] = [[" ".join(_paragraph(plan.english, rng))]]
    anchors: list[tuple[int, str]] = [(0, "paragraph")]
    for level, heading in plan.headings:
        blocks.append([f"{'#' * level} {heading}"])
        for _ in range(rng.choice((1, 1, 2, 3))):
            roll = rng.random()
            if roll < 0.6:
                blocks.append([" ".join(_paragraph(plan.english, rng))])
                anchors.append((len(blocks) - 1, "paragraph"))
            elif roll < 0.85:
                items = [f"- {s}" for s in _sentences(plan.english, rng.randint(2, 6), rng)]
                if rng.random() < 0.3:
                    items.insert(1, f"    - {_sentences(plan.english, 1, rng)[0]}")
                if rng.random() < 0.2:
                    items.append("- [ ] 다시 읽기" if not plan.english else "- [x] reread the paper")
                blocks.append(items)
                anchors.append((len(blocks) - 1, "list"))
            elif roll < 0.93:
                blocks.append(["| 항목 | 설명 |", "| --- | --- |",
                               *(f"| {k} | {s} |" for k, s in
                                 enumerate(_sentences(plan.english, rng.randint(1, 4), rng), 1))])
                anchors.append((len(blocks) - 1, "table"))
            else:
                blocks.append([f"> {s}" for s in _sentences(plan.english, rng.randint(1, 3), rng)])
    if rng.random() < 0.5:
        blocks.append(["```python", "# [[not a link]] inside a code fence",
                       "loss = criterion(model(x), y)  # see [[not a link]]", "loss.backward()",
                       "```"])

    link_sentences = ENGLISH_LINK_SENTENCES if plan.english else KOREAN_LINK_SENTENCES
    for link in links:
        index, kind = rng.choice(anchors)
        block = blocks[index]
        if kind == "paragraph":
            block[0] += " " + rng.choice(link_sentences).format(link)
        elif kind == "list":
            block.append(f"- {link}: {_sentences(plan.english, 1, rng)[0]}")
        else:  # table: the pipe of a display text is written `\|` there
            block.append(f"| {len(block) - 1} | {link.replace('|', chr(92) + '|')} |")
    for embed in embeds:
        blocks.insert(rng.randint(1, len(blocks)), [embed])

    for block in blocks:
        out += [*block, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def generate_vault(root: Path, notes: int, seed: int = 0, link_density: float = 4.0,
                   big_folders: float = 0.0) -> None:
    """Write a synthetic vault of `notes` notes into `root` (created if missing);
    `big_folders` of them (a share) in two flat folders, people and daily notes."""
    rng = random.Random(seed)
    plans = _plan_notes(notes, rng, big_folders)
    images = _attachments(notes, plans, rng)
    names: dict[str, int] = {}
    for plan in plans:
        names[plan.name.casefold()] = names.get(plan.name.casefold(), 0) + 1
    hubs = plans[: max(1, len(plans) // 20)]  # some notes are linked far more than others
    missing = 0
    root.mkdir(parents=True, exist_ok=True)
    for plan in plans:
        links = []
        for _ in range(rng.randint(0, round(2 * link_density))):
            if rng.random() < 0.02:
                missing += 1
                links.append(f"[[{MISSING_ENGLISH if plan.english else MISSING_KOREAN} {missing}]]")
                continue
            target = rng.choice(hubs if rng.random() < 0.3 else plans)
            links.append(_link(plan, target, names[target.name.casefold()] > 1, rng))
        embeds = []
        while rng.random() < 0.2:
            image = rng.choice(images).rsplit("/", 1)[-1]
            embeds.append(f"![[{image}|{rng.choice((120, 200, 320))}]]" if rng.random() < 0.2
                          else f"![[{image}]]")
        text = _note_text(plan, links, embeds, rng)
        folder = root / plan.folder if plan.folder else root
        folder.mkdir(parents=True, exist_ok=True)
        name = unicodedata.normalize("NFD", plan.name) if plan.nfd else plan.name
        (folder / f"{name}.md").write_bytes(text.encode("utf-8"))
    for image in images:
        target = root / image
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(PNG)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate_vault",
                                     description="Write a deterministic synthetic Obsidian vault.")
    parser.add_argument("out", type=Path, help="folder to write the vault into (empty or new)")
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--link-density", type=float, default=4.0,
                        help="average number of wikilinks per note (default 4)")
    parser.add_argument("--big-folders", type=float, default=0.0,
                        help="share of the notes in two flat folders, people and daily notes "
                             "(default 0; a 6,600-note community vault has 0.85)")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} is not empty", file=sys.stderr)
        return 2
    generate_vault(args.out, args.notes, args.seed, args.link_density, args.big_folders)
    print(f"wrote {args.notes} notes into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
