import { createContext, use } from 'react';
import type { QuickCheckSession } from '../state/quick-check-session.ts';

/** The app's one quick check session (created in main.tsx), for the panels that queue, cancel and preview checks. */
export const QuickCheckContext = createContext<QuickCheckSession | undefined>(undefined);

export function useQuickCheck(): QuickCheckSession {
  const session = use(QuickCheckContext);
  if (!session) throw new Error('useQuickCheck() outside <QuickCheckContext>');
  return session;
}
