import { createSimulatedDockerd } from '../simulators/dockerd/index.js';
import { UsageError } from './cli-errors.js';
import { formatListenAddress, parseListenAddress } from './listen-address.js';
import type { SimDockerdCliOptions } from './sim-dockerd-options.js';

const minor = (version: string): number => Number(version.split('.')[1]);

/** `berth sim dockerd`: serves one simulated guest dockerd until SIGINT or SIGTERM. */
export async function runSimDockerd(options: SimDockerdCliOptions): Promise<void> {
  const address = parseListenAddress(options.listen, { allowRemote: options.allowRemote });
  if (minor(options.minApiVersion) > minor(options.apiVersion)) {
    throw new UsageError(
      `--min-api-version ${options.minApiVersion} is above --api-version ${options.apiVersion}`,
    );
  }
  const sim = createSimulatedDockerd({
    name: options.name,
    architecture: options.arch,
    apiVersion: { min: options.minApiVersion, max: options.apiVersion },
    ...(options.image === undefined ? {} : { images: options.image }),
  });
  let bound: string;
  try {
    bound = await sim.listen(formatListenAddress(address));
  } catch (error) {
    await sim.close();
    throw error;
  }
  console.log(
    `berth sim dockerd '${options.name}' listening on ${bound} (API ${options.minApiVersion}-${options.apiVersion}, ${options.arch})`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  console.log(`berth sim dockerd '${options.name}' stopped`);
}
