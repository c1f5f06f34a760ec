export function Logo() {
  return (
    <span className="logo">
      <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="5" cy="6" r="2.5" fill="currentColor" />
        <circle cx="5" cy="18" r="2.5" fill="currentColor" />
        <circle cx="19" cy="12" r="2.5" fill="currentColor" />
        <path
          d="M7 6 C13 6 13 12 17 12 M7 18 C13 18 13 12 17 12"
          stroke="currentColor"
          strokeWidth="2"
          fill="none"
        />
      </svg>
      <span className="logo__text">Switchyard</span>
    </span>
  );
}
