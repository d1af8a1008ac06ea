#!/usr/bin/env python3
"""Expected BLEU-1..4, ROUGE-L and CIDEr-D for captioner/src/test/resources/fixtures/caption_fixture.json.

Faithful transcriptions (not copies) of coco-caption (tylin/coco-caption):
  pycocoevalcap/bleu/bleu_scorer.py   BleuScorer.compute_score(option='closest')  -- corpus BLEU
  pycocoevalcap/rouge/rouge.py        Rouge.calc_score, beta = 1.2, mean over images
  pycocoevalcap/cider/cider_scorer.py CiderScorer (CIDEr-D: sigma 6, clipping, length penalty, x10),
                                      with the later "norm != 0" guard
The captions in the fixture are already tokenized (lower case, punctuation removed, tokens joined by one
space), i.e. what PTBTokenizer hands the scorers; the Java tokenizer is tested separately.
Run: /usr/bin/python3 tools/reference/captioner/caption_reference.py   (standard library only)
"""
import json
import math
import sys
from collections import defaultdict

N = 4


def precook(s, n=N):
    words = s.split()
    counts = defaultdict(int)
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            counts[tuple(words[i:i + k])] += 1
    return len(words), counts


def bleu(refs, hyps):
    small, tiny = 1e-9, 1e-15
    testlen_sum, reflen_sum = 0, 0
    guess, correct = [0] * N, [0] * N
    for key, hyp in hyps.items():
        reflens, maxcounts = [], {}
        for ref in refs[key]:
            rl, counts = precook(ref)
            reflens.append(rl)
            for ngram, count in counts.items():
                maxcounts[ngram] = max(maxcounts.get(ngram, 0), count)
        testlen, counts = precook(hyp)
        reflen = min((abs(l - testlen), l) for l in reflens)[1]
        testlen_sum += testlen
        reflen_sum += reflen
        for k in range(N):
            guess[k] += max(0, testlen - k)
        for ngram, count in counts.items():
            correct[len(ngram) - 1] += min(maxcounts.get(ngram, 0), count)
    bleus = []
    ratio = (testlen_sum + tiny) / (reflen_sum + small)
    for nn in range(1, N + 1):
        b = 1.0
        for k in range(nn):
            b *= float(correct[k] + tiny) / (guess[k] + small)
        bleus.append(b ** (1.0 / nn))
        if ratio < 1:
            bleus[nn - 1] *= math.exp(1 - 1 / ratio)
    return bleus


def my_lcs(string, sub):
    if len(string) < len(sub):
        sub, string = string, sub
    lengths = [[0 for _ in range(len(sub) + 1)] for _ in range(len(string) + 1)]
    for j in range(1, len(sub) + 1):
        for i in range(1, len(string) + 1):
            if string[i - 1] == sub[j - 1]:
                lengths[i][j] = lengths[i - 1][j - 1] + 1
            else:
                lengths[i][j] = max(lengths[i - 1][j], lengths[i][j - 1])
    return lengths[len(string)][len(sub)]


def rouge_l(refs, hyps, beta=1.2):
    scores = []
    for key, hyp in hyps.items():
        prec, rec = [], []
        token_c = hyp.split(" ")
        for ref in refs[key]:
            token_r = ref.split(" ")
            lcs = my_lcs(token_r, token_c)
            prec.append(lcs / float(len(token_c)))
            rec.append(lcs / float(len(token_r)))
        p, r = max(prec), max(rec)
        scores.append(((1 + beta ** 2) * p * r) / float(r + beta ** 2 * p) if p != 0 and r != 0 else 0.0)
    return sum(scores) / len(scores)


def cider_d(refs, hyps, sigma=6.0):
    keys = list(hyps.keys())
    crefs = [[precook(r)[1] for r in refs[k]] for k in keys]
    ctest = [precook(hyps[k])[1] for k in keys]
    df = defaultdict(float)
    for rs in crefs:
        for ngram in set(ng for r in rs for ng in r):
            df[ngram] += 1
    ref_len = math.log(float(len(crefs)))

    def counts2vec(cnts):
        vec = [defaultdict(float) for _ in range(N)]
        norm = [0.0] * N
        length = 0
        for ngram, tf in cnts.items():
            d = math.log(max(1.0, df[ngram]))
            n = len(ngram) - 1
            vec[n][ngram] = float(tf) * (ref_len - d)
            norm[n] += vec[n][ngram] ** 2
            if n == 1:
                length += tf
        return vec, [math.sqrt(x) for x in norm], length

    def sim(vh, vr, nh, nr, lh, lr):
        delta = float(lh - lr)
        val = [0.0] * N
        for n in range(N):
            for ngram in vh[n]:
                val[n] += min(vh[n][ngram], vr[n][ngram]) * vr[n][ngram]
            if nh[n] != 0 and nr[n] != 0:
                val[n] /= nh[n] * nr[n]
            val[n] *= math.e ** (-(delta ** 2) / (2 * sigma ** 2))
        return val

    scores = []
    for test, rs in zip(ctest, crefs):
        vec, norm, length = counts2vec(test)
        score = [0.0] * N
        for r in rs:
            vr, nr, lr = counts2vec(r)
            score = [a + b for a, b in zip(score, sim(vec, vr, norm, nr, length, lr))]
        scores.append(sum(score) / N / len(rs) * 10.0)
    return sum(scores) / len(scores)


def main(path):
    with open(path) as f:
        fixture = json.load(f)
    refs, hyps = fixture["refs"], fixture["hyps"]
    b = bleu(refs, hyps)
    fixture["expected"] = {"bleu": b, "rouge_l": rouge_l(refs, hyps), "cider_d": cider_d(refs, hyps)}
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(json.dumps(fixture["expected"], indent=1))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "captioner/src/test/resources/fixtures/caption_fixture.json")
