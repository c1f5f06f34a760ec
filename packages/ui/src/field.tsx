import type { ReactNode } from "react";

export type FieldProps = {
  /** The id of the control inside, so the label and the error are tied to it. */
  id: string;
  label: string;
  hint?: string;
  /** Messages from the server's fieldErrors for this field; the first one is shown. */
  errors?: readonly string[] | undefined;
  children: ReactNode;
  "data-test"?: string;
};

/** A labelled form control with its error message right beside it. */
export function Field({ id, label, hint, errors, children, "data-test": dataTest }: FieldProps) {
  const message = errors?.[0];
  return (
    <div className={message ? "sy-field sy-field--invalid" : "sy-field"} data-test={dataTest}>
      <label className="sy-field__label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint && !message ? <p className="sy-field__hint">{hint}</p> : null}
      {message ? (
        <p className="sy-field__error" id={`${id}-error`} role="alert" data-test={`${id}-error`}>
          {message}
        </p>
      ) : null}
    </div>
  );
}
