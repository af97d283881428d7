/** Options of `berth sim dockerd`, as commander parses them. */
export interface SimDockerdCliOptions {
  readonly listen: string;
  readonly name: string;
  readonly arch: 'amd64' | 'arm64';
  readonly apiVersion: string;
  readonly minApiVersion: string;
  readonly image?: string[];
  readonly allowRemote: boolean;
}
