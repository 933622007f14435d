import type { SaveResult, Session, SessionChange, SessionFields, SessionMessage, SessionStore } from "../../lib/sessions/model.ts";

/** An in-memory SessionStore with the same version semantics as the Redis one, for unit tests. */
export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, Session>();
  private readonly lastWrites = new Map<string, string>();
  writes = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(id: string, fields: SessionFields, messages: SessionMessage[]): Promise<{ expiresAt: string } | null> {
    if (this.sessions.has(id)) return null;
    const at = this.now().toISOString();
    const expiresAt = new Date(this.now().getTime() + 86_400_000).toISOString();
    this.sessions.set(id, apply(emptySession(id, at), { ...fields, expiresAt }, messages));
    this.writes++;
    return { expiresAt };
  }

  async load(id: string): Promise<Session | null> {
    const session = this.sessions.get(id);
    return session ? structuredClone(session) : null;
  }

  async save(id: string, change: SessionChange): Promise<SaveResult> {
    const session = this.sessions.get(id);
    if (!session) return { outcome: "missing" };
    if (change.expectedVersion !== undefined && change.expectedVersion !== session.version) {
      // As the Redis script: a write re-sent after it landed answers the version it made.
      if (change.writeId !== undefined && this.lastWrites.get(id) === change.writeId) return { outcome: "saved", version: session.version };
      return { outcome: "conflict" };
    }
    const next = apply(session, { ...change.set, updatedAt: this.now().toISOString() }, change.append ?? []);
    this.sessions.set(id, next);
    if (change.writeId !== undefined) this.lastWrites.set(id, change.writeId);
    this.writes++;
    return { outcome: "saved", version: next.version };
  }

  async remove(id: string): Promise<boolean> {
    return this.sessions.delete(id);
  }

  /** Tombstones of unfinished erasures, and the extra keys each erasure step was asked to remove. */
  readonly tombstones = new Map<string, string>();
  readonly erasedKeys: string[][] = [];

  async beginErasure(id: string, ownerTokenHash: string, alsoKeys: string[]): Promise<boolean> {
    this.tombstones.set(id, ownerTokenHash);
    this.erasedKeys.push(alsoKeys);
    return this.sessions.delete(id);
  }

  async erasureOwner(id: string): Promise<string | null> {
    return this.tombstones.get(id) ?? null;
  }

  async endErasure(id: string, alsoKeys: string[]): Promise<void> {
    this.tombstones.delete(id);
    this.erasedKeys.push(alsoKeys);
  }
}

function emptySession(id: string, at: string): Session {
  return {
    id,
    tokenHash: "",
    status: "collecting",
    locale: "ja",
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    profile: {},
    userMessageCount: 0,
    photo: null,
    images: { partner: null, child: null },
    messages: [],
    version: 0,
  };
}

function apply(session: Session, fields: SessionFields, messages: SessionMessage[]): Session {
  const { images, ...rest } = fields;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return {
    ...session,
    ...defined,
    images: {
      partner: images?.partner === undefined ? session.images.partner : images.partner,
      child: images?.child === undefined ? session.images.child : images.child,
    },
    messages: [...session.messages, ...messages],
    version: session.version + 1,
  };
}
