"""Label placement: no label over another, most central first, inside the drawing; and the
static export (`kb graph --format png/svg`) drawn with it, in a font that has Hangul."""

from __future__ import annotations

import itertools

from matplotlib import font_manager

from compiler.analysis import drawing
from compiler.label_placement import Box, Label, candidate_boxes, place_labels
from tests.test_analysis import analysed, links


def overlapping(boxes: list[Box]) -> list[tuple[Box, Box]]:
    return [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def test_a_label_goes_right_of_its_node_when_nothing_is_there():
    [placed] = place_labels([Label("a", 0, 0, 5, 40, 10)])
    assert placed.side == "right"
    assert placed.box == Box(8, -5, 48, 5)


def test_a_label_that_would_cover_an_earlier_one_moves_to_the_next_free_side():
    first, second = place_labels([Label("big", 0, 0, 5, 40, 10), Label("small", 60, 2, 2, 40, 10)])
    assert (first.key, first.side) == ("big", "right")
    assert second.side == "right"
    first, second = place_labels([Label("big", 0, 0, 5, 40, 10), Label("small", 10, 2, 2, 40, 10)])
    assert (first.side, second.side) == ("right", "above")  # left would cover the big node
    assert not first.box.overlaps(second.box)
    assert not second.box.overlaps(Box(-5, -5, 5, 5))


def test_a_label_with_no_free_side_is_left_out_and_the_first_in_order_wins():
    crowd = [Label(f"n{i}", 0, 0, 5, 60, 12) for i in range(6)]
    placed = place_labels(crowd)
    assert [p.key for p in placed] == ["n0", "n1", "n2", "n3"]  # one per side
    assert overlapping([p.box for p in placed]) == []


def test_labels_stay_inside_the_bounds():
    bounds = Box(0, 0, 100, 100)
    placed = place_labels([Label("edge", 90, 50, 3, 40, 10)], bounds)
    assert placed[0].side == "left" and placed[0].box.inside(bounds)
    assert place_labels([Label("wide", 50, 50, 3, 300, 10)], bounds) == []


def test_candidate_places_keep_clear_of_the_node():
    label = Label("a", 10, 10, 6, 30, 8)
    node = Box(4, 4, 16, 16)
    assert all(not box.overlaps(node) for _, box in candidate_boxes(label))


def test_many_labels_in_a_dense_cluster_never_overlap():
    labels = [Label(str(i), (i * 37) % 200, (i * 53) % 150, 3, 20 + (i * 7) % 60, 12)
              for i in range(400)]
    placed = place_labels(labels)
    assert 20 < len(placed) < 400
    assert overlapping([p.box for p in placed]) == []


# A hub and sixty notes with long titles around it, Korean and Latin (descenders, a dollar
# sign that is not math): far more text than room.
TITLES = [f"신경망 기초 이론과 역전파 {i}" if i % 2 else f"Gradient jumps $x$ {i}" for i in range(60)]
DENSE = {"허브 개념.md": links(*TITLES)}
DENSE |= {f"{title}.md": links("허브 개념", TITLES[(i + 1) % 60]) for i, title in enumerate(TITLES)}


def test_the_static_drawing_labels_the_most_central_notes_without_overlap_in_a_hangul_font():
    fig = drawing(*analysed(DENSE))
    fig.canvas.draw()  # the labels' background boxes take their size when drawn
    renderer = fig.canvas.get_renderer()
    texts = fig.axes[0].texts
    assert 8 <= len(texts) < 61  # some fit, not all
    assert "허브 개념" in {t.get_text() for t in texts}  # the most central comes first
    assert {t.get_text() for t in texts} & set(TITLES[::2])
    assert not any(t.get_parse_math() for t in texts)  # `$x$` in a title is text, not math
    boxes = []
    for text in texts:
        extent = text.get_bbox_patch().get_window_extent(renderer)  # the text and its background
        boxes.append(Box(extent.x0, extent.y0, extent.x1, extent.y1))
        frame = fig.axes[0].bbox
        assert frame.x0 - 0.5 <= extent.x0 and extent.x1 <= frame.x1 + 0.5
        assert font_manager.findfont(text.get_fontproperties()).endswith("NanumGothic.ttf")
    assert overlapping(boxes) == []
