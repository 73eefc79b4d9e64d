/** An app's stack, and the stack its next deploy takes when stack:set chose another (else null). */
export interface AppStacks {
  stack: string;
  buildStack: string | null;
}

/**
 * `heroku stack:set`: the stack the app's next deploy (a release of a slug) takes. drydock
 * builds nothing, so an app that runs no slug yet has no code made for its old stack: its
 * stack changes at once, as Heroku does for an app never deployed.
 */
export function setBuildStack(current: AppStacks, wanted: string, runsSlug: boolean): AppStacks {
  if (!runsSlug) return { stack: wanted, buildStack: null };
  return { stack: current.stack, buildStack: wanted === current.stack ? null : wanted };
}

/** A release of a slug: the app runs on the slug's stack; a build stack it reached is done. */
export function releaseOnSlugStack(current: AppStacks, slugStack: string): AppStacks {
  return {
    stack: slugStack,
    buildStack: current.buildStack === slugStack ? null : current.buildStack,
  };
}

/** The stack the next deploy takes, as Heroku's build_stack shows it. */
export function buildStackOf(stacks: AppStacks): string {
  return stacks.buildStack ?? stacks.stack;
}
