"use client";

import { Button } from "@switchyard/ui/button";
import { Field } from "@switchyard/ui/field";
import {
  type AuthorizationAction,
  type AuthorizationForm,
  type ConditionForm,
  emptyCondition,
  emptyRule,
  type RuleForm,
} from "./authorization-form-model";
import {
  FieldNote,
  type FormProps,
  NameSection,
  type PathMessages,
  SelectInput,
  ServiceScopeSection,
  TextField,
  unshownFor,
} from "./form-parts";

const shownPaths = [
  /^metadata(\.name)?$/,
  /^spec\.scope(\.(clusters(\..*)?|namespace|service))?$/,
  /^spec\.action$/,
  /^spec\.rules(\.\d+(\.(from|to|when)(\..*)?)?)?$/,
];

export function unshownAuthorizationMessages(messages: PathMessages): string[] {
  return unshownFor(shownPaths, messages);
}

const actionOptions = [
  ["allow", "Allow: only matching requests"],
  ["deny", "Deny: refuse matching requests"],
] as const satisfies readonly (readonly [AuthorizationAction, string])[];

export function AuthorizationPolicyForm({
  form,
  onChange,
  messages,
  isNameLocked,
}: FormProps<AuthorizationForm>) {
  const set = (patch: Partial<AuthorizationForm>) => onChange({ ...form, ...patch });
  const setRule = (index: number, patch: Partial<RuleForm>) =>
    set({ rules: form.rules.map((rule, i) => (i === index ? { ...rule, ...patch } : rule)) });
  return (
    <div className="policy-form" data-test="authorization-form">
      <NameSection
        name={form.name}
        onChange={(name) => set({ name })}
        messages={messages}
        isNameLocked={isNameLocked}
        placeholder="cart-allow-frontend"
      />
      <ServiceScopeSection
        clusters={form.clusters}
        namespace={form.namespace}
        service={form.service}
        onChange={set}
        messages={messages}
        servicePlaceholder="cart"
        serviceHint="Optional; without it the whole namespace"
      >
        <Field id="authz-action" label="Action" errors={messages["spec.action"]}>
          <SelectInput
            id="authz-action"
            value={form.action}
            options={actionOptions}
            onChange={(action) => set({ action })}
            hasError={Boolean(messages["spec.action"])}
          />
        </Field>
      </ServiceScopeSection>
      <fieldset className="policy-form__section">
        <legend>Rules</legend>
        <p className="muted">
          Any rule matching is enough; within a rule, sources, operations and conditions must all hold. An
          empty rule matches every request.
        </p>
        <FieldNote messages={messages["spec.rules"]} test="rules-error" />
        {form.rules.map((rule, index) => (
          <RuleEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place
            key={index}
            index={index}
            rule={rule}
            messages={messages}
            onChange={(patch) => setRule(index, patch)}
            onRemove={
              form.rules.length > 1
                ? () => set({ rules: form.rules.filter((_, i) => i !== index) })
                : undefined
            }
          />
        ))}
        <Button
          variant="secondary"
          size="sm"
          onClick={() => set({ rules: [...form.rules, emptyRule()] })}
          data-test="rule-add"
        >
          Add rule
        </Button>
      </fieldset>
    </div>
  );
}

type ListField = "serviceAccounts" | "principals" | "namespaces" | "methods" | "paths" | "ports";

function RuleEditor({
  index,
  rule,
  messages,
  onChange,
  onRemove,
}: {
  index: number;
  rule: RuleForm;
  messages: PathMessages;
  onChange: (patch: Partial<RuleForm>) => void;
  onRemove: (() => void) | undefined;
}) {
  const base = `spec.rules.${index}`;
  const id = (field: string) => `rule-${index}-${field}`;
  const list = (field: ListField, part: "from" | "to", label: string, placeholder: string) => (
    <TextField
      id={id(field)}
      label={label}
      hint="Comma-separated"
      value={rule[field]}
      onChange={(value) => onChange({ [field]: value })}
      messages={messages}
      path={`${base}.${part}.${field}`}
      deep
      placeholder={placeholder}
    />
  );
  const setCondition = (i: number, patch: Partial<ConditionForm>) =>
    onChange({ when: rule.when.map((condition, j) => (j === i ? { ...condition, ...patch } : condition)) });

  return (
    <div className="route" data-test="rule" data-index={index}>
      <FieldNote messages={messages[base]} test={id("error")} />
      <span className="sy-field__label">From (omitted: anyone)</span>
      <div className="policy-form__row">
        {list("serviceAccounts", "from", "Service accounts", "shop/frontend")}
        {list("principals", "from", "Principals", "cluster.local/ns/batch/sa/nightly")}
        {list("namespaces", "from", "Namespaces", "monitoring")}
      </div>
      <FieldNote messages={messages[`${base}.from`]} test={id("from-error")} />
      <span className="sy-field__label">To (omitted: anything)</span>
      <div className="policy-form__row">
        {list("methods", "to", "Methods", "GET, POST")}
        {list("paths", "to", "Paths", "/api/*")}
        {list("ports", "to", "Ports", "8080")}
      </div>
      <FieldNote messages={messages[`${base}.to`]} test={id("to-error")} />
      <div className="destinations" data-test={id("conditions")}>
        <span className="sy-field__label">When (request headers)</span>
        {rule.when.map((condition, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions are edited in place
          <div key={i} className="destinations__row" data-test="condition">
            <TextField
              id={id(`when-${i}-header`)}
              label="Header"
              value={condition.header}
              onChange={(header) => setCondition(i, { header })}
              messages={messages}
              path={`${base}.when.${i}.header`}
              placeholder="x-scrape-token"
            />
            <TextField
              id={id(`when-${i}-values`)}
              label="Values"
              hint="Comma-separated; any one matches"
              value={condition.values}
              onChange={(values) => setCondition(i, { values })}
              messages={messages}
              path={`${base}.when.${i}.values`}
              deep
              placeholder="prom"
            />
            <Button
              variant="ghost"
              size="sm"
              onClick={() => onChange({ when: rule.when.filter((_, j) => j !== i) })}
            >
              Remove
            </Button>
          </div>
        ))}
        <div className="destinations__footer">
          <Button
            variant="secondary"
            size="sm"
            onClick={() => onChange({ when: [...rule.when, emptyCondition()] })}
            data-test={id("condition-add")}
          >
            Add condition
          </Button>
          {onRemove ? (
            <Button variant="ghost" size="sm" onClick={onRemove} data-test="rule-remove">
              Remove rule
            </Button>
          ) : null}
        </div>
        <FieldNote messages={messages[`${base}.when`]} test={id("when-error")} />
      </div>
    </div>
  );
}
