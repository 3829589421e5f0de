// The first rows of a file (or a database query) as an import would read them, with the id and file-name columns marked.
import type { ImportPreview } from '../bindings/ImportPreview';

interface Props {
  preview: ImportPreview;
  /** The id column the import will use (chosen or guessed); "" when none. */
  idColumn: string;
  /** Documents: the file-name column the import will use; "" when none. */
  filenameColumn: string;
  busy: boolean;
  /** Under each column's name: its type (a query's: the database's and Matchbook's). */
  columnTypes?: string[];
  /** The table's DOM id ("import-preview" by default). */
  tableId?: string;
}

export function ImportPreviewTable({ preview, idColumn, filenameColumn, busy, columnTypes, tableId = 'import-preview' }: Props) {
  const role = (c: string) => (c === idColumn ? 'id' : c === filenameColumn ? 'filename' : null);
  if (preview.columns.length === 0) {
    return <p className="empty">No columns found in {preview.file}: is it empty, or is another sheet or delimiter needed?</p>;
  }
  return (
    <div className="table-wrap scroll-x import-preview-wrap" aria-busy={busy}>
      <table id={tableId} className="table dense import-preview">
        <caption className="visually-hidden">
          First {preview.rows.length} rows of {preview.file}
        </caption>
        <thead>
          <tr>
            {preview.columns.map((c, i) => {
              const r = role(c);
              return (
                <th scope="col" key={`${i}-${c}`} className={r ? `import-col-${r}` : undefined}>
                  {c}
                  {r && <span className="col-role">{r === 'id' ? 'ID' : 'file name'}</span>}
                  {columnTypes?.[i] !== undefined && <span className="col-type">{columnTypes[i]}</span>}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {preview.rows.length === 0 ? (
            <tr>
              <td colSpan={preview.columns.length} className="muted">
                No data rows.
              </td>
            </tr>
          ) : (
            preview.rows.map((row, ri) => (
              <tr key={ri}>
                {preview.columns.map((c, ci) => {
                  const v = row[ci] ?? '';
                  const r = role(c);
                  const cls = [r ? `import-col-${r}` : '', v === '' ? 'missing-cell' : ''].filter(Boolean).join(' ');
                  return (
                    <td key={ci} className={cls || undefined}>
                      {v}
                    </td>
                  );
                })}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
