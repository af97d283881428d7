import type { Role } from '../../protocol/connector.js';

/** An OCI platform reduced to what decides where a workload can run. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | undefined;
}

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
  i686: '386',
};

/** The default variant of an architecture, which is the same as no variant. */
const DEFAULT_VARIANT: Readonly<Record<string, string>> = { arm64: 'v8' };

/**
 * HND-2, containerd-style: `os/arch[/variant]` or a bare `arch` (os linux), trimmed and
 * lower-cased, architecture aliases folded (x86_64 → amd64, aarch64 → arm64). Undefined when the
 * text is not a platform.
 */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  // BAD-9: containerd's specifier grammar `[A-Za-z0-9_-]+`: `linux/../x` is no platform (400 from
  // the guest), not an unsupported one (501).
  if (parts.length > 3 || parts.some((part) => !/^[a-z0-9_-]+$/.test(part))) return undefined;
  const [os, arch, variant] = parts.length === 1 ? ['linux', parts[0]!, undefined] : parts;
  if (os === undefined || arch === undefined) return undefined;
  const architecture = ARCH_ALIASES[arch] ?? arch;
  const normalisedVariant = variant === DEFAULT_VARIANT[architecture] ? undefined : variant;
  return { os, architecture, variant: normalisedVariant };
}

export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant === undefined ? base : `${base}/${platform.variant}`;
}

/** A role's platform runs a request when os and architecture agree and neither pins another variant. */
function runs(offered: Platform, wanted: Platform): boolean {
  return (
    offered.os === wanted.os &&
    offered.architecture === wanted.architecture &&
    (offered.variant === undefined || wanted.variant === undefined || offered.variant === wanted.variant)
  );
}

/** The first configured role whose platforms include `wanted`, or undefined. */
export function selectRoleForPlatform(
  roles: readonly { readonly role: Role; readonly platforms: readonly string[] }[],
  wanted: Platform,
): Role | undefined {
  for (const { role, platforms } of roles) {
    for (const text of platforms) {
      const offered = parsePlatform(text);
      if (offered !== undefined && runs(offered, wanted)) return role;
    }
  }
  return undefined;
}
