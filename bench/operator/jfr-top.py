"""Where the operator's CPU went: method samples of a flight recording, by frame.

    jfr-top.py operator.jfr [N=25]

Prints the N frames found most often anywhere in a sampled stack ("inclusive"), and the N most
frequent top frames ("self"), as shares of all samples. Uses the JDK's `jfr print`.
"""
import collections
import subprocess
import sys

out = subprocess.run(['jfr', 'print', '--events', 'jdk.ExecutionSample', '--stack-depth', '64',
                      sys.argv[1]], capture_output=True, text=True, check=True).stdout
n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
inclusive, self_time, samples = collections.Counter(), collections.Counter(), 0
for event in out.split('jdk.ExecutionSample')[1:]:
    body = event.split('stackTrace = [', 1)[-1].split(']', 1)[0]
    frames = [line.strip().split('(')[0] for line in body.splitlines()
              if line.strip() and line.strip() != '...']
    if not frames:
        continue
    samples += 1
    self_time[frames[0]] += 1
    for frame in set(frames):
        inclusive[frame] += 1
print(f'{samples} samples')
print('## inclusive')
for frame, c in inclusive.most_common(n):
    print(f'{100 * c / samples:5.1f} %  {frame}')
print('## self')
for frame, c in self_time.most_common(n):
    print(f'{100 * c / samples:5.1f} %  {frame}')
