/**
 * The routing API's wire format: what a router needs to know about one app. Shared by the
 * control plane, which serves it, and the reference router, which reads it.
 */
export interface RoutingEntry {
  id: string;
  name: string;
  hosts: string[];
  maintenance: boolean;
  /**
   * When something (a window's end, auto-off when overdue) will turn maintenance off, ISO
   * 8601; null when nothing will. Routers count their Retry-After down to it.
   */
  maintenance_ends_at: string | null;
  /** MAINTENANCE_PAGE_URL, scheme-relative made https; null when unset. */
  maintenance_page_url: string | null;
  web: { quantity: number; size: string | null };
  space: { name: string; shield: boolean } | null;
  private_space: boolean;
  /** Web dynos that are up and told us where they listen. */
  web_dynos: { name: string; address: string }[];
}
