"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { Form } from "~/components/form";

type Props = { callbackUrl: string; initialError?: string | undefined };

// next-auth's own codes, for failures that did not come with a message from the API.
const nextAuthMessages: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  SessionRequired: "Sign in to continue.",
};

function describe(error: string): string {
  return nextAuthMessages[error] ?? error;
}

export function SignInForm({ callbackUrl, initialError }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ email?: string[]; password?: string[] }>({});
  const [error, setError] = useState<string | null>(initialError ? describe(initialError) : null);
  const [isPending, setIsPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const missing = {
      ...(email.trim() ? {} : { email: ["email is required"] }),
      ...(password ? {} : { password: ["password is required"] }),
    };
    setFieldErrors(missing);
    setError(null);
    if (Object.keys(missing).length > 0) return;
    setIsPending(true);
    try {
      const result = await signIn("credentials", { email: email.trim(), password, redirect: false });
      if (!result || result.error || !result.ok) {
        setError(describe(result?.error ?? "Sign-in failed. Try again."));
        setIsPending(false);
        return;
      }
      // A full navigation, so every server component reads the new session cookie.
      window.location.assign(callbackUrl);
    } catch {
      setError("Sign-in is unavailable right now. Try again in a moment.");
      setIsPending(false);
    }
  }

  const signUpHref = callbackUrl.startsWith("/invite/")
    ? `/signup?invite=${encodeURIComponent(callbackUrl.slice("/invite/".length))}`
    : "/signup";

  return (
    <Form onSubmit={onSubmit} data-test="signin-form">
      {error ? (
        <Banner tone="error" data-test="signin-error">
          {error}
        </Banner>
      ) : null}
      <Field id="signin-email" label="Email" errors={fieldErrors.email}>
        <input
          id="signin-email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={Boolean(fieldErrors.email)}
          data-test="signin-email"
        />
      </Field>
      <Field id="signin-password" label="Password" errors={fieldErrors.password}>
        <input
          id="signin-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={Boolean(fieldErrors.password)}
          data-test="signin-password"
        />
      </Field>
      <Button type="submit" isPending={isPending} className="auth-submit" data-test="signin-submit">
        {isPending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="auth-alt">
        New to Switchyard?{" "}
        <Link href={signUpHref} data-test="signin-to-signup">
          Create an account
        </Link>
      </p>
    </Form>
  );
}
