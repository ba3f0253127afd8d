/** What a dashboard user may do: `viewer` reads, `manager` also acts. */
export type UserRole = 'viewer' | 'manager';

export interface DashboardUser {
  name: string;
  role: UserRole;
  createdAt: number;
  updatedAt: number;
}

/** A user as sign-in needs it: the stored hash, and the addresses that signed in before. */
export interface UserCredentials extends DashboardUser {
  passwordHash: string;
  knownClients: string[];
}

/** A stored session: who (null before sign-in) and the session's own values (a CSRF secret). */
export interface StoredSession {
  userName: string | null;
  data: Record<string, unknown>;
}

/** How long sessions live, in ms of the store's clock. */
export interface SessionLifetime {
  /** Unused this long, a session ends. */
  idleMs: number;
  /** Whatever its use, a session ends this long after it began. */
  absoluteMs: number;
}

/**
 * Dashboard users, their sessions and failed sign-ins, in the store: shared by every
 * `herald serve` process, judged by the store's clock. Session ids arrive here already hashed.
 */
export interface UserStorePort {
  /** False when the name is taken. */
  addUser(name: string, role: UserRole, passwordHash: string): Promise<boolean>;
  /** Removes the user and ends their sessions; false when there was none. */
  removeUser(name: string): Promise<boolean>;
  listUsers(): Promise<DashboardUser[]>;
  findUser(name: string): Promise<UserCredentials | null>;
  /** A new password (and role, when given): ends the user's sessions and clears failed sign-ins. */
  resetUser(name: string, passwordHash: string, role?: UserRole): Promise<boolean>;

  /** The live session (and marks it seen), or null when unknown or expired. */
  readSession(idHash: string, lifetime: SessionLifetime): Promise<StoredSession | null>;
  writeSession(idHash: string, session: StoredSession, lifetime: SessionLifetime): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes expired sessions (and day-old failure counts); returns how many sessions. */
  pruneSessions(): Promise<number>;

  /** Ms until `name` may try to sign in again (0: now), with at most `max` failures per window. */
  loginWait(name: string, max: number, windowMs: number): Promise<number>;
  recordLoginFailure(name: string, windowMs: number): Promise<void>;
  /** Clears the failures and remembers `client` among the last few addresses that signed in. */
  recordLoginSuccess(name: string, client: string): Promise<void>;

  /** The shared secret called `name`, made with `make` by whichever process asks first. */
  sharedSecret(name: string, make: () => string): Promise<string>;
}
