"use client";

import { useIsHydrated } from "@switchyard/ui/hydration";
import type { FormHTMLAttributes } from "react";

type FormProps = FormHTMLAttributes<HTMLFormElement> & { "data-test"?: string };

/**
 * Every form of the console. Its controls stay disabled until the page has hydrated. Before that
 * the page is the server's HTML without its handlers: what was typed showed in a field while the
 * form's state stayed empty (sign-in then said "email is required" beside the typed address), and
 * a click on submit was the browser's own GET, with every field, the password too, in the URL.
 */
export function Form({ children, ...rest }: FormProps) {
  const isHydrated = useIsHydrated();
  return (
    <form noValidate {...rest}>
      <fieldset className="form-fieldset" disabled={!isHydrated}>
        {children}
      </fieldset>
    </form>
  );
}
