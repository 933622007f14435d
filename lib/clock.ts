/** The time source the domain is given: the system clock in the functions, a fixed one in tests. */
export type Clock = () => Date;

/** What a collaborator set carries to tell the time; without `now`, the system clock. */
export interface Clocked {
  now?: Clock;
}

/** The current time as the given collaborators tell it. */
export function currentTime(deps: Clocked): Date {
  return deps.now ? deps.now() : new Date();
}
