import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { FreezerGate } from '../engine/pause-gate.js';
import { busyboxFs, runProgram, runSh, startProgram } from './run-test-program.test-helper.js';
import { eventually } from '../../../suite/support/poll.js';

useLeakCheck();

describe('applets', () => {
  it('echo joins its arguments; -n drops the newline; -e expands escapes', async () => {
    expect(await runProgram(['echo', 'a', 'b'])).toMatchObject({ status: 0, stdout: 'a b\n' });
    expect((await runProgram(['echo', '-n', 'x'])).stdout).toBe('x');
    expect((await runProgram(['echo', '-e', 'a\\tb'])).stdout).toBe('a\tb\n');
    expect((await runProgram(['echo', 'a\\tb'])).stdout).toBe('a\\tb\n');
  });

  it('printf formats %s %d %x %%, reuses the format and reports bad numbers', async () => {
    expect((await runProgram(['printf', '%s-%d|%x %%\\n', 'a', '5', '255'])).stdout).toBe('a-5|ff %\n');
    expect((await runProgram(['printf', '%s\\n', 'a', 'b'])).stdout).toBe('a\nb\n');
    expect((await runProgram(['printf', '%s|%d|%s\\n', 'a', '5'])).stdout).toBe('a|5|\n');
    const bad = await runProgram(['printf', '%d\\n', 'abc']);
    expect(bad).toMatchObject({ status: 1, stdout: '0\n', stderr: "printf: invalid number 'abc'\n" });
    expect((await runSh('printf "%d\\n" abc')).stderr).toBe("sh: invalid number 'abc'\n");
  });

  it('cat copies stdin, or files from the container tree', async () => {
    expect(await runProgram(['cat'], { stdin: 'in\nput' })).toMatchObject({ status: 0, stdout: 'in\nput' });
    expect((await runProgram(['cat', '/etc/passwd'])).stdout).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(await runProgram(['cat', '/nope'])).toMatchObject({
      status: 1,
      stderr: "cat: can't open '/nope': No such file or directory\n",
    });
    expect(await runProgram(['cat', '/tmp'])).toMatchObject({
      status: 1,
      stderr: 'cat: read error: Is a directory\n',
    });
  });

  it('sleep waits (fractions too), rejects bad numbers and is cancelled by a kill', async () => {
    const started = Date.now();
    expect((await runProgram(['sleep', '0.05'])).status).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(await runProgram(['sleep', 'abc'])).toMatchObject({
      status: 1,
      stderr: "sleep: invalid number 'abc'\n",
    });
    const forever = startProgram(['sleep', 'infinity']);
    forever.kill(9);
    expect((await forever.result).status).toBe(137);
    const long = startProgram(['sleep', '300']);
    long.kill(15);
    expect((await long.result).status).toBe(143);
  });

  it('env lists the environment; pwd the working directory; true and false', async () => {
    const env = await runProgram(['env'], { env: { A: '1' } });
    expect(env.stdout).toBe(
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=testhost\nA=1\nHOME=/root\n',
    );
    expect((await runProgram(['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
    expect((await runProgram(['true'])).status).toBe(0);
    expect((await runProgram(['false'])).status).toBe(1);
  });

  it('head -c N reads N bytes; head -n N lines', async () => {
    expect((await runProgram(['head', '-c', '3'], { stdin: 'abcdef' })).stdout).toBe('abc');
    expect((await runProgram(['head', '-n', '2'], { stdin: 'a\nb\nc\n' })).stdout).toBe('a\nb\n');
    expect((await runProgram(['head', '-c', '4', '/etc/passwd'])).stdout).toBe('root');
  });

  it('mkdir -p creates parents; mkdir of an existing directory fails like busybox', async () => {
    const fs = busyboxFs();
    expect((await runProgram(['mkdir', '-p', '/a/b/c'], { fs })).status).toBe(0);
    expect(fs.stat('/a/b/c')?.kind).toBe('dir');
    expect(await runProgram(['mkdir', '/tmp'], { fs })).toMatchObject({
      status: 1,
      stderr: "mkdir: can't create directory '/tmp': File exists\n",
    });
    expect((await runProgram(['mkdir', '/x/y'], { fs })).status).toBe(1);
  });

  it('an unknown executable cannot start (runc wording and 127)', async () => {
    const run = await runProgram(['nosuchcmd', 'a']);
    expect(run.status).toBe(127);
    expect(run.stderr).toBe('exec: "nosuchcmd": executable file not found in $PATH');
    expect((await runProgram(['/bin/nope'])).stderr).toBe(
      'exec: "/bin/nope": stat /bin/nope: no such file or directory',
    );
    expect((await runProgram(['/tmp'])).status).toBe(126);
  });

  it('ls, rm, touch, grep, hostname, stty, id and busybox work on the container tree', async () => {
    const fs = busyboxFs();
    await runSh('touch /tmp/a; mkdir /tmp/d; echo x > /tmp/d/f', { fs });
    expect((await runProgram(['ls', '/tmp'], { fs })).stdout).toBe('a\nd\n');
    expect((await runProgram(['rm', '/tmp/d'], { fs })).stderr).toBe("rm: '/tmp/d' is a directory\n");
    expect((await runProgram(['rm', '-r', '/tmp/d'], { fs })).status).toBe(0);
    expect(fs.stat('/tmp/d')).toBeUndefined();
    expect((await runSh('env | grep -c PATH')).stdout).toBe('1\n');
    expect((await runProgram(['hostname'])).stdout).toBe('testhost\n');
    expect((await runProgram(['stty', 'size'], { tty: { rows: 30, cols: 100 } })).stdout).toBe('30 100\n');
    expect((await runProgram(['stty', 'size'])).stderr).toBe('stty: standard input: Not a tty\n');
    expect((await runProgram(['busybox', 'echo', 'via busybox'])).stdout).toBe('via busybox\n');
  });
});

describe('sh -c', () => {
  it('runs lists with ; && || and reports the last status', async () => {
    expect(await runSh('false || echo or; true && echo and; false && echo no')).toMatchObject({
      status: 1,
      stdout: 'or\nand\n',
    });
    expect(await runSh('echo a; exit 3; echo b')).toMatchObject({ status: 3, stdout: 'a\n' });
    expect((await runSh('exit 300')).status).toBe(44);
    expect((await runSh('false; exit')).status).toBe(1);
  });

  it('sends >&2 and 1>&2 to stderr, and > / >> into the container tree', async () => {
    const fs = busyboxFs();
    const run = await runSh(
      'echo out; echo err >&2; echo err2 1>&2; echo a > /tmp/x; echo b >> /tmp/x; cat /tmp/x',
      { fs },
    );
    expect(run).toMatchObject({ stdout: 'out\na\nb\n', stderr: 'err\nerr2\n' });
    expect(fs.readFile('/tmp/x').toString()).toBe('a\nb\n');
    expect((await runSh('echo x > /nope/f')).stderr).toBe(
      "sh: can't create /nope/f: nonexistent directory\n",
    );
    expect((await runSh('cat < /etc/passwd')).stdout).toBe('root:x:0:0:root:/root:/bin/sh\n');
  });

  it('expands $VAR from the environment, quotes, $?, $0 and positional arguments', async () => {
    const run = await runSh(`echo "a  b" 'c $HOME' $HOME; echo $NOPE.x; x=5; echo \${x}y; false; echo $?`, {
      env: { HOME: '/root' },
    });
    expect(run.stdout).toBe('a  b c $HOME /root\n.x\n5y\n1\n');
    expect((await runProgram(['sh', '-c', 'echo $0 $# $1 "$@"', 'name', 'p1', 'p 2'])).stdout).toBe(
      'name 2 p1 p1 p 2\n',
    );
    expect((await runSh('A=1 env | grep ^A=')).stdout).toBe('A=1\n');
    expect((await runSh('X="one two"; printf "[%s]" $X "$X"')).stdout).toBe('[one][two][one two]');
  });

  it('unknown commands fail as busybox sh does: "sh: foo: not found", 127', async () => {
    expect(await runSh('foo; echo rc=$?')).toMatchObject({
      status: 0,
      stdout: 'rc=127\n',
      stderr: 'sh: foo: not found\n',
    });
  });

  it('read VAR takes one line; at end of input it fails', async () => {
    const run = await runSh('read x; echo "[$x]"; read a b; echo "$a|$b"; read y; echo rc=$?', {
      stdin: 'first line\nsecond third fourth\n',
    });
    expect(run.stdout).toBe('[first line]\nsecond|third fourth\nrc=1\n');
  });

  it('pipes, groups, subshells, command substitution and test', async () => {
    expect((await runSh('echo piped | cat')).stdout).toBe('piped\n');
    expect((await runSh('(exit 4); echo $?; { echo g; }')).stdout).toBe('4\ng\n');
    expect((await runSh('echo "<$(echo inner)>"')).stdout).toBe('<inner>\n');
    expect((await runSh('[ -f /etc/passwd ] && echo file; test -d /nope || echo nodir')).stdout).toBe(
      'file\nnodir\n',
    );
    expect((await runSh('cd /tmp && pwd; cd /nope')).stdout).toBe('/tmp\n');
  });

  it('a syntax error exits 2 before anything runs', async () => {
    expect(await runSh('echo a; echo "unterminated')).toMatchObject({
      status: 2,
      stdout: '',
      stderr: 'sh: syntax error: unterminated quoted string\n',
    });
  });

  it('sh without -c runs commands read from stdin', async () => {
    expect((await runProgram(['sh'], { stdin: 'echo one\necho two\n' })).stdout).toBe('one\ntwo\n');
    const script = busyboxFs();
    script.writeFile('/s.sh', 'echo from-file $1\n', { mode: 0o755 });
    expect((await runProgram(['sh', '/s.sh', 'arg'], { fs: script })).stdout).toBe('from-file arg\n');
    expect((await runProgram(['/s.sh', 'x'], { fs: script })).stdout).toBe('from-file x\n');
  });

  it('a kill reaches a process blocked on stdin and the exit status is 128 + signal', async () => {
    const cat = startProgram(['cat'], { openStdin: true });
    cat.stdin.write(Buffer.from('partial'));
    await eventually(() => cat.stdout() === 'partial', { description: "cat.stdout() === 'partial'" });
    cat.kill(9);
    expect(await cat.result).toMatchObject({ status: 137, stdout: 'partial' });
  });

  it('a paused process resumes where it stopped', async () => {
    const gate = new FreezerGate();
    const run = startProgram(['sh', '-c', 'echo one; sleep 0.02; echo two'], { gate });
    await eventually(() => run.stdout() === 'one\n', { description: "run.stdout() === 'one\\n'" });
    gate.pause();
    // A check that nothing happens: the paused process must not print while the gate is shut.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(run.stdout()).toBe('one\n');
    gate.resume();
    expect((await run.result).stdout).toBe('one\ntwo\n');
  });
});
