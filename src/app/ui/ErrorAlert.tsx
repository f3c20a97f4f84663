import { useSlideStore } from '../state/slide-store.ts';

export function ErrorAlert() {
  const error = useSlideStore((s) => s.error);
  const dismiss = useSlideStore((s) => s.dismissError);
  if (!error) return null;
  return (
    <div role="alert" className="alert">
      <span>{error}</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
