/** Admin: types, parsing and hooks (to be written). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AdminSource {}
