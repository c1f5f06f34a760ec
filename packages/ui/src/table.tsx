import type { ReactNode } from "react";

export type TableColumn<Row> = {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Right-align numbers and action buttons. */
  align?: "left" | "right";
};

export type TableProps<Row> = {
  columns: readonly TableColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** A data-test value per row, so tests can find the row of one member or event. */
  rowTest?: (row: Row) => string;
  caption?: string;
  "data-test"?: string;
};

export function Table<Row>({
  columns,
  rows,
  rowKey,
  rowTest,
  caption,
  "data-test": dataTest,
}: TableProps<Row>) {
  return (
    <div className="sy-table-wrap">
      <table className="sy-table" data-test={dataTest}>
        {caption ? <caption className="sy-visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={column.align === "right" ? "sy-align-right" : undefined}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-test={rowTest?.(row)}>
              {columns.map((column) => (
                <td key={column.key} className={column.align === "right" ? "sy-align-right" : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
