#!/usr/bin/env python3
# Top frames and threads of a JFR recording, cut to one bench rate: jfr-top.py rec.jfr bench.json RATE
import sys, re, subprocess, json, collections
jfr, benchjson, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = json.load(open(benchjson))['runs']
run = [r for r in runs if r['offeredPerSecond'] == rate][0]
def hms(iso): return iso[11:23]
lo, hi = hms(run['startedAt']), hms(run['endedAt'])
p = subprocess.Popen(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '12', jfr], stdout=subprocess.PIPE, text=True)
self_c = collections.Counter(); incl = collections.Counter(); threads = collections.Counter(); total = 0
ev = None
for line in p.stdout:
    s = line.strip()
    if s.startswith('jdk.ExecutionSample'):
        ev = {'frames': [], 't': None, 'thread': ''}
    elif ev is not None and s.startswith('startTime'):
        ev['t'] = s.split('=')[1].strip()[:12]
    elif ev is not None and s.startswith('sampledThread'):
        ev['thread'] = re.sub(r'[-0-9a-f]{8,}|\d+', '#', s.split('"')[1])
    elif ev is not None and s.endswith(']') and s.startswith(']') :
        pass
    elif ev is not None and 'line:' in s:
        ev['frames'].append(re.sub(r'\(.*', '', s))
    elif ev is not None and s == '}':
        if ev['t'] and lo <= ev['t'] <= hi and ev['frames']:
            total += 1
            self_c[ev['frames'][0]] += 1
            for f in set(ev['frames']): incl[f] += 1
            threads[ev['thread']] += 1
        ev = None
print(f"window {lo}..{hi}, {total} samples")
print("top self frames:")
for f, c in self_c.most_common(15): print(f"  {100*c/total:5.1f}%  {f}")
print("top relay frames (inclusive):")
for f, c in [x for x in incl.most_common(400) if x[0].startswith('dev.relay')][:12]: print(f"  {100*c/total:5.1f}%  {f}")
print("top threads:")
for f, c in threads.most_common(12): print(f"  {100*c/total:5.1f}%  {f}")
