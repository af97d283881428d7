import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedDockerd, type SimulatedDockerd } from '../../simulators/dockerd/index.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { createDockerTarget, probeDockerTarget, probedDaemonFacts } from './docker.js';
import type { TargetProbe } from './target.js';

const HOST = 'unix:///run/berth-test/docker.sock';

/** A probe as probeDockerTarget records it, for the daemon at `dockerHost`. */
function recorded(dockerHost: string, facts: Record<string, unknown> = {}): TargetProbe {
  return {
    description: 'Docker 27.1.0 (API 1.46, linux/arm64)',
    facts: {
      dockerHost,
      Version: '27.1.0',
      ApiVersion: '1.46',
      MinAPIVersion: '1.24',
      Os: 'linux',
      Arch: 'arm64',
      KernelVersion: '6.10.0',
      ping: { 'api-version': '1.46', server: 'Docker/27.1.0 (linux)' },
      baseImage: 'busybox:latest',
      ...facts,
    },
  };
}

const envOf = (probe: unknown): NodeJS.ProcessEnv => ({ BERTH_TARGET_PROBE: JSON.stringify(probe) });

describe('probedDaemonFacts', () => {
  it('reads the facts the run probe recorded for this daemon', () => {
    expect(probedDaemonFacts(HOST, envOf(recorded(HOST)))).toEqual({
      dockerHost: HOST,
      version: '27.1.0',
      apiVersion: '1.46',
      minApiVersion: '1.24',
      os: 'linux',
      arch: 'arm64',
      kernelVersion: '6.10.0',
      ping: { 'api-version': '1.46', server: 'Docker/27.1.0 (linux)' },
      baseImage: 'busybox:latest',
    });
  });

  it('matches the daemon however its address is spelled', () => {
    const env = envOf(recorded('tcp://127.0.0.1:2375'));
    expect(probedDaemonFacts(' tcp://127.0.0.1 ', env)?.dockerHost).toBe('tcp://127.0.0.1:2375');
    expect(probedDaemonFacts('tcp://127.0.0.1:2376', env)).toBeUndefined();
  });

  it('ignores a missing, unparsable, foreign or malformed probe', () => {
    expect(probedDaemonFacts(HOST, {})).toBeUndefined();
    expect(probedDaemonFacts(undefined, envOf(recorded(HOST)))).toBeUndefined();
    for (const text of ['{', 'null', '"text"', '[]', '{"facts":null}', '{"facts":[1]}']) {
      expect(probedDaemonFacts(HOST, { BERTH_TARGET_PROBE: text }), text).toBeUndefined();
    }
    // Another daemon's, another target's.
    expect(probedDaemonFacts(HOST, envOf(recorded('unix:///other.sock')))).toBeUndefined();
    expect(probedDaemonFacts(HOST, envOf({ description: 'reference', facts: {} }))).toBeUndefined();
    for (const broken of [
      { Version: undefined },
      { ApiVersion: '' },
      { Os: 42 },
      { ping: 'api-version: 1.46' },
      { ping: { 'api-version': 1.46 } },
      { baseImage: 'alpine:3' },
    ]) {
      expect(probedDaemonFacts(HOST, envOf(recorded(HOST, broken))), JSON.stringify(broken)).toBeUndefined();
    }
  });
});

describe('the docker target with a run probe', () => {
  const daemons: SimulatedDockerd[] = [];
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.close();
  });

  async function daemon(): Promise<string> {
    const sim = createSimulatedDockerd({ name: 'docker-probe-reuse' });
    daemons.push(sim);
    return sim.listen(`unix://${await tempSocketPath('docker-reuse')}`);
  }

  it('takes the daemon facts from the probe of the same daemon instead of probing again', async () => {
    const host = await daemon();
    const probe = await probeDockerTarget({ dockerHost: host });
    // Facts the daemon would not report: only a reused probe can put them in the session.
    const env = envOf({ ...probe, facts: { ...probe.facts, Version: '99.0-probed' } });
    await using target = createDockerTarget({ dockerHost: host }, env);
    await using session = await target.engine!.open('real');
    expect(session.description).toBe(`Docker 99.0-probed (API 1.41) at ${host}`);
    expect(session.baseImage).toBe('local/busybox:1');
  });

  it('probes the daemon itself when the probe is of another daemon or unparsable', async () => {
    const host = await daemon();
    for (const env of [
      envOf(recorded('unix:///other.sock', { Version: '99.0-probed' })),
      { BERTH_TARGET_PROBE: '{' },
    ]) {
      await using target = createDockerTarget({ dockerHost: host }, env);
      await using session = await target.engine!.open('real');
      expect(session.description).toBe(`Docker 20.10.24+dfsg1 (API 1.41) at ${host}`);
    }
  });
});
