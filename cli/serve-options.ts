/** Options of `berth serve`, as commander parses them. */
export interface ServeCliOptions {
  readonly listen: string;
  /** `role=unix:///path.sock`, repeatable. */
  readonly guest: string[];
  /** `role=os/arch[,os/arch...]`, repeatable. */
  readonly platform?: string[];
  readonly defaultRole?: string;
  readonly handshakeTimeoutMs: number;
  readonly allowRemote: boolean;
}
