# The CLIPScore mismatch baseline of the world experiment: a copy of a GenEval folder whose prompt i is prompt
# i + n/2 (samples linked, not copied). Usage: python3 shift_geneval_prompts.py runs/geneval-base runs/ge-base-shift
# then studio eval clipscore --geneval runs/ge-base-shift. A documentation aid; nothing in the build runs it.
import os, sys
src, dst = sys.argv[1], sys.argv[2]
dirs = sorted(d for d in os.listdir(src) if d.isdigit())
metas = [open(os.path.join(src, d, 'metadata.jsonl')).read() for d in dirs]
n = len(dirs); k = n // 2
for i, d in enumerate(dirs):
    os.makedirs(os.path.join(dst, d))
    open(os.path.join(dst, d, 'metadata.jsonl'), 'w').write(metas[(i + k) % n])
    os.symlink(os.path.abspath(os.path.join(src, d, 'samples')), os.path.join(dst, d, 'samples'))
