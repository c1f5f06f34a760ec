import type { ReactNode } from "react";
import { Logo } from "./logo";

/** The centred card of the signed-out pages (sign-in, sign-up, invitations). */
export function AuthCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="auth-page">
      <div className="auth-brand">
        <Logo />
      </div>
      <section className="auth-card">
        <h1 className="auth-card__title">{title}</h1>
        {subtitle ? <p className="auth-card__subtitle">{subtitle}</p> : null}
        {children}
      </section>
    </main>
  );
}
