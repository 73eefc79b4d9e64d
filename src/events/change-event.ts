/** One entry of the change log as readers see it. */
export interface ChangeEvent {
  version: number;
  action: string;
  appId: string | null;
  appName: string | null;
  actorId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}
