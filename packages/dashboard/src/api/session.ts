// The operator's API key, kept for this browser tab only (sessionStorage): closing the
// tab forgets it, and no other tab or later visitor of the machine finds it.
const KEY = 'saga-coordinator.api-key';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
