/** The starting file for an order book (`aidr screen --template csv|xlsx`): the usual columns and two example lines. */
export const TEMPLATE_HEADERS = [
  'id', 'date', 'to', 'model', 'quantity', 'consignee_id', 'consignee_name', 'consignee_country', 'consignee_headquarters',
  'consignee_ultimate_parent_headquarters', 'consignee_ultimate_parent_id', 'end_uses',
];

export const TEMPLATE_ROWS: (string | number)[][] = [
  ['PO-4711', '2025-06-02', 'Germany', 'H100 SXM5 80GB', 10000, 'rz-de-1', 'Example Rechenzentrum GmbH', 'DE', 'US', 'US', '', 'datacenter'],
  ['PO-4712', '2025-06-02', 'BR', 'nvidia-h100-sxm', 1000, 'dados-br', 'Dados SA', 'Brazil', 'BR', 'BR', 'dados-holding', 'datacenter'],
];
