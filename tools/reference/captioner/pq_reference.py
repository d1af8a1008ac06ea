#!/usr/bin/env python3
"""Expected PQ values for captioner/src/test/resources/fixtures/pq_fixture.json.

A faithful transcription (not a copy) of panopticapi/evaluation.py: pq_compute_single_core (matching,
void and crowd handling) and PQStat.pq_average (per class, then averaged over classes with at least
one tp/fp/fn). Masks are stored in the fixture as flat id lists (id = R + 256G + 256^2 B already decoded).
Run: /usr/bin/python3 tools/reference/captioner/pq_reference.py  (numpy needed: apt-get install python3-numpy)
Never run by the build or CI; the Java test compares against the numbers this writes.
"""
import json
import sys
from collections import defaultdict

import numpy as np

OFFSET = 256 * 256 * 256
VOID = 0


def make_fixture(seed=7, size=24, count=6):
    rng = np.random.RandomState(seed)
    categories = [
        {"id": 1, "name": "circle", "isthing": 1}, {"id": 2, "name": "square", "isthing": 1},
        {"id": 3, "name": "star", "isthing": 1}, {"id": 11, "name": "sky", "isthing": 0},
        {"id": 12, "name": "grass", "isthing": 0}, {"id": 13, "name": "sea", "isthing": 0},
    ]
    images = []
    for index in range(count):
        gt = np.zeros((size, size), dtype=np.int64)
        segs = []
        horizon = rng.randint(6, 18)
        sky, ground = 11, int(rng.choice([12, 13]))
        gt[:horizon] = 1
        gt[horizon:] = 2
        segs += [{"id": 1, "category_id": sky, "iscrowd": 0}, {"id": 2, "category_id": ground, "iscrowd": 0}]
        next_id = 3
        for _ in range(rng.randint(2, 5)):
            h, w = rng.randint(3, 9), rng.randint(3, 9)
            y, x = rng.randint(0, size - h), rng.randint(0, size - w)
            gt[y:y + h, x:x + w] = next_id
            segs.append({"id": next_id, "category_id": int(rng.randint(1, 4)), "iscrowd": int(rng.rand() < 0.15)})
            next_id += 1
        if rng.rand() < 0.6:  # a void strip
            c = rng.randint(0, size - 3)
            gt[:, c:c + 2] = VOID
        present = set(np.unique(gt).tolist())
        segs = [s for s in segs if s["id"] in present]
        pred, pred_segs = perturb(gt, segs, rng, size)
        images.append({"name": "img%d" % index, "width": size, "height": size,
                       "gt_ids": gt.flatten().tolist(), "gt_segments": with_area(gt, segs),
                       "pred_ids": pred.flatten().tolist(), "pred_segments": pred_segs})
    images.append(hand_made(size))
    return {"categories": categories, "images": images}


def hand_made(size):
    """Void and crowd cases by hand: a prediction mostly on void (ignored), one on a same-class crowd
    region (ignored), one on a crowd region of another class (a false positive), and a match whose IoU
    only passes 0.5 because the union leaves out the prediction's void pixels."""
    gt = np.full((size, size), 1, dtype=np.int64)          # sky
    gt[:, :6] = VOID                                        # void band on the left
    gt[14:20, 8:16] = 2                                     # crowd of circles
    gt[2:8, 14:20] = 3                                      # a square, 36 px
    pred = np.full((size, size), 1, dtype=np.int64)
    pred[10:18, 0:7] = 2                                    # 56 px, 48 on void -> ignored
    pred[14:20, 8:14] = 3                                   # circle on the circle crowd -> ignored
    pred[20:24, 8:16] = 4                                   # square partly on the crowd (other class) -> fp
    pred[2:8, 11:20] = 5                                    # square: 36 on the square, 18 on sky,
    pred[2:8, 0:6] = 5                                      # 36 on void: IoU 36/54 with void left out, 36/90 without
    gt_segs = [{"id": 1, "category_id": 11, "iscrowd": 0}, {"id": 2, "category_id": 1, "iscrowd": 1},
               {"id": 3, "category_id": 2, "iscrowd": 0}]
    pred_segs = [{"id": 1, "category_id": 11, "iscrowd": 0}, {"id": 2, "category_id": 2, "iscrowd": 0},
                 {"id": 3, "category_id": 1, "iscrowd": 0}, {"id": 4, "category_id": 2, "iscrowd": 0},
                 {"id": 5, "category_id": 2, "iscrowd": 0}]
    return {"name": "hand_made", "width": size, "height": size, "gt_ids": gt.flatten().tolist(),
            "gt_segments": with_area(gt, gt_segs), "pred_ids": pred.flatten().tolist(), "pred_segments": pred_segs}


def with_area(mask, segs):
    out = []
    for s in segs:
        t = dict(s)
        t["area"] = int((mask == s["id"]).sum())
        out.append(t)
    return out


def perturb(gt, segs, rng, size):
    """A plausible prediction: shifted shapes, a relabelled one, a dropped one, a spurious one, renumbered ids."""
    pred = np.zeros_like(gt)
    pred_segs = []
    new_id = 1
    for s in segs:
        m = gt == s["id"]
        r = rng.rand()
        if r < 0.12:
            continue  # missed
        if r < 0.45:
            m = np.roll(m, (rng.randint(-2, 3), rng.randint(-2, 3)), axis=(0, 1))
        cat = s["category_id"]
        if rng.rand() < 0.1 and cat < 10:
            cat = 1 + (cat % 3)  # wrong class
        pred[m] = new_id
        pred_segs.append({"id": new_id, "category_id": int(cat), "iscrowd": 0})
        new_id += 1
    if rng.rand() < 0.7:  # spurious thing, sometimes mostly on void
        y, x = rng.randint(0, size - 4), rng.randint(0, size - 4)
        pred[y:y + 4, x:x + 4] = new_id
        pred_segs.append({"id": new_id, "category_id": int(rng.randint(1, 4)), "iscrowd": 0})
        new_id += 1
    present = set(np.unique(pred).tolist())
    return pred, [s for s in pred_segs if s["id"] in present]


class Stat:
    def __init__(self):
        self.iou, self.tp, self.fp, self.fn = 0.0, 0, 0, 0


def pq_single_image(img, categories, stats):
    size = (img["height"], img["width"])
    pan_gt = np.array(img["gt_ids"], dtype=np.uint64).reshape(size)
    pan_pred = np.array(img["pred_ids"], dtype=np.uint64).reshape(size)
    gt_segms = {el["id"]: dict(el) for el in img["gt_segments"]}
    pred_segms = {el["id"]: dict(el) for el in img["pred_segments"]}
    pred_labels_set = set(el["id"] for el in img["pred_segments"])
    labels, labels_cnt = np.unique(pan_pred, return_counts=True)
    for label, label_cnt in zip(labels, labels_cnt):
        if label not in pred_segms:
            if label == VOID:
                continue
            raise KeyError("segment %d in PNG, not in JSON" % label)
        pred_segms[label]["area"] = label_cnt
        pred_labels_set.remove(label)
        if pred_segms[label]["category_id"] not in categories:
            raise KeyError("unknown category")
    if pred_labels_set:
        raise KeyError("segments in JSON, not in PNG")
    pan_gt_pred = pan_gt * OFFSET + pan_pred
    gt_pred_map = {}
    labels, labels_cnt = np.unique(pan_gt_pred, return_counts=True)
    for label, intersection in zip(labels, labels_cnt):
        gt_pred_map[(label // OFFSET, label % OFFSET)] = intersection
    gt_matched, pred_matched = set(), set()
    for (gt_label, pred_label), intersection in gt_pred_map.items():
        if gt_label not in gt_segms or pred_label not in pred_segms:
            continue
        if gt_segms[gt_label]["iscrowd"] == 1:
            continue
        if gt_segms[gt_label]["category_id"] != pred_segms[pred_label]["category_id"]:
            continue
        union = (pred_segms[pred_label]["area"] + gt_segms[gt_label]["area"] - intersection
                 - gt_pred_map.get((VOID, pred_label), 0))
        iou = intersection / union
        if iou > 0.5:
            stats[gt_segms[gt_label]["category_id"]].tp += 1
            stats[gt_segms[gt_label]["category_id"]].iou += iou
            gt_matched.add(gt_label)
            pred_matched.add(pred_label)
    crowd_labels = {}
    for gt_label, gt_info in gt_segms.items():
        if gt_label in gt_matched:
            continue
        if gt_info["iscrowd"] == 1:
            crowd_labels[gt_info["category_id"]] = gt_label
            continue
        stats[gt_info["category_id"]].fn += 1
    for pred_label, pred_info in pred_segms.items():
        if pred_label in pred_matched:
            continue
        intersection = gt_pred_map.get((VOID, pred_label), 0)
        if pred_info["category_id"] in crowd_labels:
            intersection += gt_pred_map.get((crowd_labels[pred_info["category_id"]], pred_label), 0)
        if intersection / pred_info["area"] > 0.5:
            continue
        stats[pred_info["category_id"]].fp += 1


def pq_average(stats, categories, isthing):
    pq, sq, rq, n = 0, 0, 0, 0
    per_class = {}
    for label, info in categories.items():
        if isthing is not None and isthing != (info["isthing"] == 1):
            continue
        s = stats[label]
        if s.tp + s.fp + s.fn == 0:
            per_class[label] = {"pq": 0.0, "sq": 0.0, "rq": 0.0}
            continue
        n += 1
        pq_c = s.iou / (s.tp + 0.5 * s.fp + 0.5 * s.fn)
        sq_c = s.iou / s.tp if s.tp != 0 else 0
        rq_c = s.tp / (s.tp + 0.5 * s.fp + 0.5 * s.fn)
        per_class[label] = {"pq": pq_c, "sq": sq_c, "rq": rq_c}
        pq, sq, rq = pq + pq_c, sq + sq_c, rq + rq_c
    return {"pq": pq / n, "sq": sq / n, "rq": rq / n, "n": n}, per_class


def main(out_path):
    fixture = make_fixture()
    categories = {c["id"]: c for c in fixture["categories"]}
    stats = defaultdict(Stat)
    for img in fixture["images"]:
        pq_single_image(img, categories, stats)
    expected = {}
    for name, isthing in (("All", None), ("Things", True), ("Stuff", False)):
        expected[name], per_class = pq_average(stats, categories, isthing)
        if isthing is None:
            expected["per_class"] = {str(k): v for k, v in per_class.items()}
    expected["counts"] = {str(k): [s.tp, s.fp, s.fn] for k, s in sorted(stats.items())}
    fixture["expected"] = expected
    with open(out_path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(json.dumps({k: expected[k] for k in ("All", "Things", "Stuff", "counts")}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "captioner/src/test/resources/fixtures/pq_fixture.json")
