"use client";

import { Banner } from "@switchyard/ui/banner";
import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import { Tabs } from "@switchyard/ui/tabs";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Form } from "~/components/form";
import { fieldErrorsOf, formErrorOf, messageOf } from "~/lib/api-errors";
import { fromYaml, isYamlMap, toYaml } from "~/lib/policy-yaml";
import { type RouterOutputs, useTRPC, useTRPCClient } from "~/lib/trpc";
import { useDebouncedValue } from "~/lib/use-debounced-value";
import { ApplyProgress, type ApplyTarget } from "./apply-progress";
import {
  emptyFormState,
  type FormKind,
  formStateFromDocument,
  formStateToDocument,
  hasForm,
  type PolicyFormState,
  PolicyKindForm,
  unshownFormMessages,
  withFormName,
} from "./policy-forms";
import { isPolicyKind, type PolicyKind, policyKinds, policyTemplates } from "./policy-templates";
import { PreviewPane } from "./preview-pane";
import type { PathMessages } from "./traffic-form";

type Diagnostic = RouterOutputs["policies"]["validate"]["diagnostics"][number];
type Mode = "form" | "yaml";

export type ExistingPolicy = { name: string; kind: string; yaml: string };

/** The form for a policy's YAML, or why not when the YAML goes beyond the form. */
function formFromYaml(kind: FormKind, yaml: string): { form: PolicyFormState } | { problem: string } {
  try {
    return { form: formStateFromDocument(kind, fromYaml(yaml)) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : "the YAML could not be read" };
  }
}

/** The policy's name as written in its YAML, for a new policy (the API also reads it). */
function nameInYaml(yaml: string): string {
  try {
    const document = fromYaml(yaml);
    if (!isYamlMap(document)) return "";
    const metadata = document.metadata;
    return isYamlMap(metadata) && typeof metadata.name === "string" ? metadata.name : "";
  } catch {
    return "";
  }
}

function toMessages(diagnostics: readonly Diagnostic[]): PathMessages {
  const messages: PathMessages = {};
  for (const d of diagnostics) {
    const key = d.path.join(".");
    const text =
      d.severity === "error" ? d.message : `${d.severity === "warning" ? "Warning" : "Note"}: ${d.message}`;
    messages[key] = [...(messages[key] ?? []), text];
  }
  return messages;
}

/** The API keys an edit's problems `edits.0.yaml.spec.routes.0...`; the form knows them by document path. */
function apiMessages(error: unknown): PathMessages {
  const out: PathMessages = {};
  for (const [key, list] of Object.entries(fieldErrorsOf(error))) {
    const match = /^edits\.\d+\.yaml\.?(.*)$/.exec(key);
    if (match) out[match[1] ?? ""] = list;
  }
  return out;
}

function initialState(existing: ExistingPolicy | undefined): {
  kind: PolicyKind;
  mode: Mode;
  form: PolicyFormState;
  yaml: string;
} {
  if (!existing)
    return { kind: "TrafficPolicy", mode: "form", form: emptyFormState("TrafficPolicy"), yaml: "" };
  const kind = isPolicyKind(existing.kind) ? existing.kind : "TrafficPolicy";
  const parsed = hasForm(kind) ? formFromYaml(kind, existing.yaml) : null;
  if (parsed && "form" in parsed) return { kind, mode: "form", form: parsed.form, yaml: existing.yaml };
  const form = emptyFormState(hasForm(kind) ? kind : "TrafficPolicy");
  return { kind, mode: "yaml", form, yaml: existing.yaml };
}

export function PolicyEditor({ slug, existing }: { slug: string; existing?: ExistingPolicy }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [initial] = useState(() => initialState(existing));
  const [kind, setKind] = useState<PolicyKind>(initial.kind);
  const [mode, setMode] = useState<Mode>(initial.mode);
  const [form, setForm] = useState<PolicyFormState>(initial.form);
  const [yamlText, setYamlText] = useState(initial.yaml);
  const [switchProblem, setSwitchProblem] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [progress, setProgress] = useState<{ name: string; targets: ApplyTarget[] } | null>(null);

  const isForm = hasForm(kind) && form.kind === kind && mode === "form";
  const yaml = isForm ? toYaml(formStateToDocument(form)) : yamlText;
  const name = existing?.name ?? (isForm ? form.form.name.trim() : nameInYaml(yamlText));

  const debouncedYaml = useDebouncedValue(yaml, 400);
  const validation = useQuery({
    queryKey: ["policies.validate", slug, debouncedYaml],
    queryFn: () => client.policies.validate.mutate({ orgSlug: slug, yaml: debouncedYaml }),
    enabled: debouncedYaml.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const isValidating = yaml !== debouncedYaml || validation.isFetching;

  const preview = useMutation(trpc.policies.preview.mutationOptions());
  const [previewedYaml, setPreviewedYaml] = useState<string | null>(null);
  const apply = useMutation(
    trpc.policies.applyChanges.mutationOptions({
      onSuccess(_, input) {
        const first = input.changes.edits?.[0];
        const targets = (preview.data?.clusters ?? [])
          .filter((cluster) => cluster.isChanged)
          .map((cluster) => ({
            clusterId: cluster.clusterId,
            clusterName: cluster.clusterName,
            baselineVersion: cluster.currentVersion,
          }));
        setProgress({ name: first?.name ?? name, targets });
        setReason("");
        void queryClient.invalidateQueries({ queryKey: trpc.policies.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
      },
    }),
  );

  // A new, untouched form is not wrong yet: say what is missing once the author starts.
  const [pristineYaml] = useState(yaml);
  const isPristine = existing === undefined && yaml === pristineYaml;
  const allDiagnostics = validation.data?.diagnostics ?? [];
  const diagnostics = isPristine ? [] : allDiagnostics;
  const messages: PathMessages = {
    ...toMessages(diagnostics),
    ...apiMessages(preview.error),
    ...apiMessages(apply.error),
  };
  const hasErrors = allDiagnostics.some((d) => d.severity === "error") || validation.data?.isValid === false;
  const isPreviewCurrent = previewedYaml === yaml && preview.data !== undefined;

  function switchMode(next: Mode) {
    if (next === mode) return;
    if (next === "yaml") {
      setYamlText(yaml);
      setSwitchProblem(null);
      setMode("yaml");
      return;
    }
    if (!hasForm(kind)) return;
    const parsed = formFromYaml(kind, yamlText);
    if ("problem" in parsed) {
      setSwitchProblem(`The form cannot show this YAML (${parsed.problem}); keep editing it here.`);
      return;
    }
    setSwitchProblem(null);
    setForm(existing ? withFormName(parsed.form, existing.name) : parsed.form);
    setMode("form");
  }

  function chooseKind(next: PolicyKind) {
    setKind(next);
    setSwitchProblem(null);
    if (hasForm(next)) {
      setForm(emptyFormState(next));
      setMode("form");
    } else {
      setYamlText(policyTemplates.find((template) => template.kind === next)?.yaml ?? "");
      setMode("yaml");
    }
  }

  function runPreview() {
    setPreviewedYaml(yaml);
    apply.reset();
    preview.mutate({ orgSlug: slug, changes: { edits: [{ name, yaml }] } });
  }

  const policyHref = (policyName: string) =>
    `/o/${encodeURIComponent(slug)}/policies/${encodeURIComponent(policyName)}`;
  const templates = policyTemplates.filter((template) => template.kind === kind);
  const otherMessages = isForm ? unshownFormMessages(form, messages) : [];

  return (
    <div className="policy-editor" data-test="policy-editor">
      <div className="policy-editor__bar">
        {existing ? (
          <span className="badge" data-test="policy-kind">
            {kind}
          </span>
        ) : (
          <Field id="policy-kind" label="Kind">
            <select
              id="policy-kind"
              value={kind}
              onChange={(event) => {
                if (isPolicyKind(event.target.value)) chooseKind(event.target.value);
              }}
              data-test="policy-kind"
            >
              {policyKinds.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          </Field>
        )}
        {mode === "yaml" && templates.length > 0 ? (
          <Field id="policy-template" label="Start from an example">
            <select
              id="policy-template"
              value=""
              onChange={(event) => {
                const template = policyTemplates.find((t) => t.id === event.target.value);
                if (template) setYamlText(template.yaml);
              }}
              data-test="policy-template"
            >
              <option value="">Choose an example…</option>
              {templates.map((template) => (
                <option key={template.id} value={template.id}>
                  {template.label}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <span
          className="policy-editor__validation"
          data-test="validation-state"
          data-state={isValidating ? "checking" : hasErrors ? "invalid" : yaml.trim() ? "valid" : "empty"}
        >
          {isValidating
            ? "Checking…"
            : validation.isError
              ? `Could not check: ${messageOf(validation.error)}`
              : hasErrors
                ? `${diagnostics.filter((d) => d.severity === "error").length} problem(s)`
                : yaml.trim()
                  ? "Valid"
                  : ""}
        </span>
      </div>
      {hasForm(kind) ? (
        <Tabs
          label="Editor"
          tabs={[
            { id: "form", label: "Form" },
            { id: "yaml", label: "YAML" },
          ]}
          selected={mode}
          onSelect={switchMode}
          data-test="editor-tabs"
        />
      ) : (
        <p className="muted">{kind} is edited as YAML; pick an example above to start from.</p>
      )}
      {switchProblem ? (
        <Banner tone="warning" data-test="switch-problem">
          {switchProblem}
        </Banner>
      ) : null}
      {isForm ? (
        <>
          {otherMessages.length > 0 ? (
            <Banner tone="error" data-test="form-diagnostics">
              <ul>
                {otherMessages.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            </Banner>
          ) : null}
          <PolicyKindForm
            state={form}
            onChange={setForm}
            messages={messages}
            isNameLocked={Boolean(existing)}
          />
        </>
      ) : (
        <YamlEditor value={yamlText} onChange={setYamlText} diagnostics={diagnostics} />
      )}
      <div className="form-actions">
        <Button
          variant="secondary"
          onClick={runPreview}
          isPending={preview.isPending}
          disabled={!name || yaml.trim() === ""}
          data-test="policy-preview"
        >
          Preview
        </Button>
      </div>
      {preview.isError ? (
        <Banner tone="error" title="Preview failed" data-test="preview-error">
          {formErrorOf(preview.error, []) ?? messageOf(preview.error)}
        </Banner>
      ) : null}
      {preview.data && previewedYaml !== null ? (
        <>
          {!isPreviewCurrent ? (
            <Banner tone="warning" data-test="preview-stale">
              The policy changed since this preview. Preview again before applying.
            </Banner>
          ) : null}
          <PreviewPane preview={preview.data} />
          <Form
            className="card apply-form"
            onSubmit={(event) => {
              event.preventDefault();
              apply.mutate({ orgSlug: slug, reason: reason.trim(), changes: { edits: [{ name, yaml }] } });
            }}
            data-test="apply-form"
          >
            <Field
              id="apply-reason"
              label="Reason for this change"
              errors={fieldErrorsOf(apply.error).reason}
            >
              <input
                id="apply-reason"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                placeholder="Canary 10% of traffic to reviews v2"
                aria-invalid={Boolean(fieldErrorsOf(apply.error).reason)}
                data-test="apply-reason"
              />
            </Field>
            {formErrorOf(apply.error, ["reason"]) ? (
              <Banner tone="error" data-test="apply-error">
                {formErrorOf(apply.error, ["reason"])}
              </Banner>
            ) : null}
            <div className="form-actions">
              <Button
                type="submit"
                isPending={apply.isPending}
                disabled={!isPreviewCurrent || reason.trim() === "" || hasErrors}
                data-test="policy-apply"
              >
                Apply
              </Button>
            </div>
          </Form>
        </>
      ) : null}
      {progress ? (
        <>
          <ApplyProgress
            key={JSON.stringify(progress)}
            slug={slug}
            targets={progress.targets}
            title={`Applying ${progress.name}`}
          />
          {!existing ? (
            <p>
              <Link href={policyHref(progress.name)} data-test="open-policy">
                Open {progress.name} →
              </Link>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function YamlEditor({
  value,
  onChange,
  diagnostics,
}: {
  value: string;
  onChange: (value: string) => void;
  diagnostics: readonly Diagnostic[];
}) {
  const lineCount = value.split("\n").length;
  const lineNumbers = Array.from({ length: lineCount }, (_, index) => index + 1);
  const problemLines = new Set(
    diagnostics.map((d) => d.line).filter((line): line is number => line !== null),
  );
  return (
    <div className="yaml-editor">
      <div className="yaml-editor__body">
        <pre className="yaml-editor__gutter" aria-hidden="true">
          {lineNumbers.map((line) => (
            <span key={line} className={problemLines.has(line) ? "yaml-editor__line--error" : undefined}>
              {line}
              {"\n"}
            </span>
          ))}
        </pre>
        <textarea
          className="yaml-editor__text"
          aria-label="Policy YAML"
          spellCheck={false}
          value={value}
          rows={Math.max(16, lineCount + 1)}
          onChange={(event) => onChange(event.target.value)}
          data-test="policy-yaml"
        />
      </div>
      {diagnostics.length > 0 ? (
        <ul className="diagnostics" data-test="yaml-diagnostics">
          {diagnostics.map((d, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id
            <li key={index} className={`diagnostic diagnostic--${d.severity}`} data-test="yaml-diagnostic">
              {d.line !== null ? `Line ${d.line}${d.column !== null ? `:${d.column}` : ""} — ` : ""}
              {d.message}{" "}
              <span className="muted">
                ({d.code}
                {d.field ? ` at ${d.field}` : ""})
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
