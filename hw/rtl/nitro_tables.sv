// nitro_tables: the card's lookup tables and the indirect table-access window.
// ENI table (slot-indexed, distributed memory + valid flops), edge table (flops, parallel
// compare), mapping table (two nitro_map_way memories of buckets of 2**MAP_BUCKET_SLOTS_LOG2
// entries; table index = way * WAY_DEPTH + bucket * SLOTS + slot). CSR side: TBL_DATA0..7 staging,
// TBL_INDEX, TBL_CMD, TBL_STATUS, TBL_RDATA0..7.
// Atomic commit: `stage` appends (table, index, data) to a BATCH_DEPTH queue. `commit` raises
// `freeze`; the lookup pipelines stop admitting headers and the top reports `quiet` once they
// are empty; the queue is then written, one entry per cycle, and `freeze` drops. `read` uses
// the same freeze so it sees committed state and can borrow mapping port A.
// Filtering tables (docs/card-filtering.md): route (3), nacl (4), sgRule (5), eniConntrack (6)
// and routeBank (7) live in their modules (nitro_route_lookup, nitro_nacl, nitro_conntrack);
// this engine checks their indices, queues their writes like any other, broadcasts them at
// commit (flt_wr_* strobes, index, staging words) and reads them back through flt_rd_mode.
module nitro_tables #(
  parameter int NUM_ENI            = 64,  // ENI slots (2..256)
  parameter int MAP_WAY_DEPTH_LOG2 = 15,  // entries per way (log2)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2, // entries per bucket (log2)
  parameter int NUM_EDGE           = 8,   // edge entries (1..256)
  parameter int BATCH_DEPTH        = 64,  // staged writes per commit (1..256)
  parameter int MAP_W              = 146, // mapping entry bits (layout in nitro_map_way)
  parameter int ROUTE_LEVELS       = 12,  // route bank: 2**ROUTE_LEVELS - 1 intervals
  parameter int NUM_NACL           = 16,  // network ACLs
  parameter int NACL_RULES         = 40,  // rules per ACL and direction
  parameter int SG_RULES_LOG2      = 14   // security group rule array (log2)
) (
  input  logic                          clk,
  input  logic                          rst,            // synchronous, active high
  // CSR bus (decoded here for the table window)
  input  logic                          csr_valid,
  input  logic                          csr_write,
  input  logic [15:0]                   csr_addr,
  input  logic [31:0]                   csr_wdata,
  output logic [31:0]                   csr_rd,         // read data for this block's addresses, else 0
  // Freeze handshake with the lookup pipelines
  output logic                          freeze,         // pipelines: admit no new header
  input  logic                          quiet,          // pipelines are empty
  // TX ENI read (combinational)
  input  logic [7:0]                    tx_eni_slot,
  output logic                          tx_eni_valid,   // slot < NUM_ENI and entry valid
  output logic                          tx_eni_sdc,
  output logic [5:0]                    tx_eni_sublen,
  output logic [23:0]                   tx_eni_vni,
  output logic [31:0]                   tx_eni_ip,
  output logic [47:0]                   tx_eni_mac,
  output logic [31:0]                   tx_eni_subnet,
  output logic [7:0]                    tx_eni_route,
  output logic [7:0]                    tx_eni_nacl,
  output logic                          tx_eni_untracked,
  output logic [15:0]                   tx_eni_sg_base,   // egress rules
  output logic [15:0]                   tx_eni_sg_count,
  // TX receiver (local delivery) ENI read (combinational): ingress filtering fields
  input  logic [7:0]                    txl_eni_slot,
  output logic [7:0]                    txl_eni_nacl,
  output logic [31:0]                   txl_eni_subnet,
  output logic [5:0]                    txl_eni_sublen,
  output logic                          txl_eni_untracked,
  output logic [15:0]                   txl_eni_sg_base,  // ingress rules
  output logic [15:0]                   txl_eni_sg_count,
  // RX ENI read (combinational)
  input  logic [7:0]                    rx_eni_slot,
  output logic                          rx_eni_valid,
  output logic [23:0]                   rx_eni_vni,
  output logic [31:0]                   rx_eni_ip,
  output logic [47:0]                   rx_eni_mac,
  output logic [7:0]                    rx_eni_nacl,
  output logic [31:0]                   rx_eni_subnet,
  output logic [5:0]                    rx_eni_sublen,
  output logic                          rx_eni_untracked,
  output logic [15:0]                   rx_eni_sg_base,   // ingress rules
  output logic [15:0]                   rx_eni_sg_count,
  // TX mapping lookup: bucket addresses, whole buckets the cycle after the address
  input  logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] tx_map_addr0,
  input  logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] tx_map_addr1,
  output logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        tx_map_data0,
  output logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        tx_map_data1,
  // RX mapping lookup: bucket addresses, whole buckets the cycle after the address
  input  logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] rx_map_addr0,
  input  logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] rx_map_addr1,
  output logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        rx_map_data0,
  output logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        rx_map_data1,
  // Edge check (combinational)
  input  logic [23:0]                   edge_vni,
  input  logic [31:0]                   edge_ip,
  output logic                          edge_hit,
  // Filtering tables: writes at commit (index and staging words 0..7) and read-back
  output logic                          flt_wr_route,
  output logic                          flt_wr_nacl,
  output logic                          flt_wr_sg,
  output logic                          flt_wr_tmo,
  output logic                          flt_wr_bank,
  output logic [31:0]                   flt_wr_index,
  output logic [255:0]                  flt_wr_data,
  output logic                          flt_rd_mode,      // frozen and quiet: modules read flt_rd_index
  output logic [31:0]                   flt_rd_index,
  input  logic [74:0]                   route_rd_data,
  input  logic                          route_bank,
  input  logic [112:0]                  nacl_rd_data,
  input  logic [112:0]                  sg_rd_data,
  input  logic [95:0]                   tmo_rd_data
);

  localparam int L       = MAP_WAY_DEPTH_LOG2;
  localparam int S       = MAP_BUCKET_SLOTS_LOG2;
  localparam int SLOTS   = 2 ** S;
  localparam int SW      = (S > 0) ? S : 1;         // slot-number width
  localparam int SLOT_W  = $clog2(NUM_ENI);
  localparam int NACL_N  = 2 * NUM_NACL * NACL_RULES;
  localparam int IDX_A   = (L + 1 > 8) ? L + 1 : 8;
  localparam int IDX_B   = (ROUTE_LEVELS + 1 > IDX_A) ? ROUTE_LEVELS + 1 : IDX_A;
  localparam int IDX_C   = (SG_RULES_LOG2 > IDX_B) ? SG_RULES_LOG2 : IDX_B;
  localparam int IDX_W   = ($clog2(NACL_N) > IDX_C) ? $clog2(NACL_N) : IDX_C;
  localparam int QD_W    = 256;                      // staging words 0..7 (the ENI uses all of them)
  localparam int Q_W     = 3 + IDX_W + QD_W;
  localparam int QPTR_W  = $clog2(BATCH_DEPTH + 1);
  localparam int ENI_W   = 224;                      // {sg_out_count, sg_out_base, sg_in_count, sg_in_base,
                                                     //  nacl, route, untracked, subnet, mac, ip, vni, sublen, sdc}
  localparam int EDGE_W  = $clog2(NUM_EDGE) > 0 ? $clog2(NUM_EDGE) : 1;

  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_tables: NUM_ENI must be in 2..256");
  end
  if (L < 1 || L > 19) begin : g_chk_map
    $error("nitro_tables: MAP_WAY_DEPTH_LOG2 must be in 1..19");
  end
  if (S < 0 || S > 3 || S >= L) begin : g_chk_slots
    $error("nitro_tables: MAP_BUCKET_SLOTS_LOG2 must be in 0..3 and below MAP_WAY_DEPTH_LOG2");
  end
  if (NUM_EDGE < 1 || NUM_EDGE > 256) begin : g_chk_edge
    $error("nitro_tables: NUM_EDGE must be in 1..256");
  end
  if (BATCH_DEPTH < 1 || BATCH_DEPTH > 255) begin : g_chk_batch
    $error("nitro_tables: BATCH_DEPTH must be in 1..255");
  end
  if (MAP_W != 146) begin : g_chk_mapw
    $error("nitro_tables: MAP_W must be 146");
  end

  // ---------------------------------------------------------------- CSR registers
  logic [255:0] data_q;          // TBL_DATA7..0
  logic [31:0]  index_q;         // TBL_INDEX
  logic [255:0] rdata_q;         // TBL_RDATA7..0
  logic         error_q;

  typedef enum logic [2:0] {
    S_IDLE, S_C_WAIT, S_C_RUN, S_R_WAIT, S_R_ADDR, S_R_DATA
  } state_e;
  state_e state_q;

  logic [2:0]        r_table_q;      // table of the pending read
  logic [IDX_W-1:0]  r_index_q;

  // ---------------------------------------------------------------- batch queue
  logic [Q_W-1:0]    qmem [BATCH_DEPTH];
  logic [QPTR_W-1:0] queued_q;       // entries staged
  logic [QPTR_W-1:0] qrd_q;          // commit read pointer
  logic [Q_W-1:0]    qent;
  logic [2:0]        q_table;
  logic [IDX_W-1:0]  q_index;
  logic [QD_W-1:0]   q_data;

  assign qent = qmem[qrd_q[$clog2(BATCH_DEPTH) > 0 ? $clog2(BATCH_DEPTH)-1 : 0 : 0]];
  assign {q_table, q_index, q_data} = qent;

  // ---------------------------------------------------------------- command decode
  logic        wr_cmd, wr_index, wr_data;
  logic [3:0]  cmd_op, cmd_table;
  logic        idx_ok;
  logic [2:0]  data_word;

  assign wr_cmd    = csr_valid && csr_write && (csr_addr == nitro_regs_pkg::ADDR_TBL_CMD);
  assign wr_index  = csr_valid && csr_write && (csr_addr == nitro_regs_pkg::ADDR_TBL_INDEX);
  assign wr_data   = csr_valid && csr_write && (csr_addr[15:5] == nitro_regs_pkg::ADDR_TBL_DATA[15:5])
                     && (csr_addr[1:0] == 2'b00);
  assign data_word = csr_addr[4:2];
  assign cmd_op    = csr_wdata[nitro_regs_pkg::TBL_CMD_OP_LSB +: 4];
  assign cmd_table = csr_wdata[nitro_regs_pkg::TBL_CMD_TABLE_LSB +: 4];

  always_comb begin
    idx_ok = 1'b0;
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_ENI))     idx_ok = index_q < 32'(NUM_ENI);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_MAPPING)) idx_ok = index_q < (32'd2 << L);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_EDGE))    idx_ok = index_q < 32'(NUM_EDGE);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_ROUTE))   idx_ok = index_q < (32'd2 << ROUTE_LEVELS)
                                                                  && index_q[ROUTE_LEVELS-1:0] != '1;  // last position does not exist
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_NACL))    idx_ok = index_q < 32'(NACL_N);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_SG_RULE)) idx_ok = index_q < (32'd1 << SG_RULES_LOG2);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_ENI_CONNTRACK)) idx_ok = index_q < 32'(NUM_ENI);
    if (cmd_table == 4'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK))    idx_ok = index_q == 32'd0;
  end

  // ---------------------------------------------------------------- tables
  logic [ENI_W-1:0]       eni_mem [NUM_ENI];
  logic [NUM_ENI-1:0]     eni_valid_q;
  logic [NUM_EDGE-1:0]    edge_valid_q;
  logic [NUM_EDGE*24-1:0] edge_vni_q;
  logic [NUM_EDGE*32-1:0] edge_ip_q;

  // Table writes (commit) and reads
  logic                   apply;            // write queue entry qent this cycle
  logic [SLOTS-1:0]       map_we0, map_we1;
  logic [L-S-1:0]         pa_addr0, pa_addr1;
  logic [MAP_W-1:0]       map_wdata;
  logic [SLOTS*MAP_W-1:0] map_rd0, map_rd1;
  logic [MAP_W-1:0]       map_rd_entry;     // the slot a table read asked for

  assign apply = (state_q == S_C_RUN);

  // Mapping entry from the staging format
  assign map_wdata = {
    q_data[nitro_regs_pkg::TBL_MAPPING_MAC_HI_LSB +: 16],
    q_data[nitro_regs_pkg::TBL_MAPPING_MAC_LO_LSB +: 32],
    q_data[nitro_regs_pkg::TBL_MAPPING_UNDERLAY_IP_LSB +: 32],
    q_data[nitro_regs_pkg::TBL_MAPPING_IP_LSB +: 32],
    q_data[nitro_regs_pkg::TBL_MAPPING_VNI_LSB +: 24],
    q_data[nitro_regs_pkg::TBL_MAPPING_LOCAL_SLOT_LSB +: 8],
    q_data[nitro_regs_pkg::TBL_MAPPING_LOCAL_LSB],
    q_data[nitro_regs_pkg::TBL_MAPPING_VALID_LSB]
  };

  always_comb begin
    map_we0 = '0;
    map_we1 = '0;
    if (apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_MAPPING)) begin
      for (int s = 0; s < SLOTS; s++) begin
        if (S == 0 || q_index[SW-1:0] == SW'(s)) begin
          map_we0[s] = !q_index[L];
          map_we1[s] = q_index[L];
        end
      end
    end
    // Port A is the engine's only once the pipelines are quiet (S_C_RUN, S_R_ADDR): while it waits for them, headers
    // admitted before the freeze still present their buckets here and must read the tables they started with.
    if (state_q == S_C_RUN) begin
      pa_addr0 = q_index[L-1:S];
      pa_addr1 = pa_addr0;
    end else if (state_q == S_R_ADDR) begin
      pa_addr0 = r_index_q[L-1:S];
      pa_addr1 = pa_addr0;
    end else begin
      pa_addr0 = tx_map_addr0;
      pa_addr1 = tx_map_addr1;
    end
  end

  nitro_map_way #(.WIDTH(MAP_W), .DEPTH_LOG2(L), .SLOTS_LOG2(S)) u_way0 (
    .clk     (clk),
    .a_addr  (pa_addr0),
    .a_we    (map_we0),
    .a_wdata (map_wdata),
    .a_rdata (map_rd0),
    .b_addr  (rx_map_addr0),
    .b_rdata (rx_map_data0)
  );

  nitro_map_way #(.WIDTH(MAP_W), .DEPTH_LOG2(L), .SLOTS_LOG2(S)) u_way1 (
    .clk     (clk),
    .a_addr  (pa_addr1),
    .a_we    (map_we1),
    .a_wdata (map_wdata),
    .a_rdata (map_rd1),
    .b_addr  (rx_map_addr1),
    .b_rdata (rx_map_data1)
  );

  assign tx_map_data0 = map_rd0;
  assign tx_map_data1 = map_rd1;

  always_comb begin
    map_rd_entry = '0;
    for (int s = 0; s < SLOTS; s++) begin
      if (S == 0 || r_index_q[SW-1:0] == SW'(s)) begin
        map_rd_entry = r_index_q[L] ? map_rd1[s*MAP_W +: MAP_W] : map_rd0[s*MAP_W +: MAP_W];
      end
    end
  end

  // ENI writes
  always_ff @(posedge clk) begin
    if (apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_ENI)) begin
      eni_mem[q_index[SLOT_W-1:0]] <= {
        q_data[nitro_regs_pkg::TBL_ENI_SG_OUT_COUNT_LSB +: 16],
        q_data[nitro_regs_pkg::TBL_ENI_SG_OUT_BASE_LSB +: 16],
        q_data[nitro_regs_pkg::TBL_ENI_SG_IN_COUNT_LSB +: 16],
        q_data[nitro_regs_pkg::TBL_ENI_SG_IN_BASE_LSB +: 16],
        q_data[nitro_regs_pkg::TBL_ENI_NACL_LSB +: 8],
        q_data[nitro_regs_pkg::TBL_ENI_ROUTE_TABLE_LSB +: 8],
        q_data[nitro_regs_pkg::TBL_ENI_UNTRACKED_LSB],
        q_data[nitro_regs_pkg::TBL_ENI_SUBNET_LSB +: 32],
        q_data[nitro_regs_pkg::TBL_ENI_MAC_HI_LSB +: 16],
        q_data[nitro_regs_pkg::TBL_ENI_MAC_LO_LSB +: 32],
        q_data[nitro_regs_pkg::TBL_ENI_IP_LSB +: 32],
        q_data[nitro_regs_pkg::TBL_ENI_VNI_LSB +: 24],
        q_data[nitro_regs_pkg::TBL_ENI_SUBNET_LEN_LSB +: 6],
        q_data[nitro_regs_pkg::TBL_ENI_SRC_DST_CHECK_LSB]
      };
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      eni_valid_q  <= '0;
      edge_valid_q <= '0;
      edge_vni_q   <= '0;
      edge_ip_q    <= '0;
    end else if (apply) begin
      if (q_table == 3'(nitro_regs_pkg::TABLE_ID_ENI)) begin
        eni_valid_q[q_index[SLOT_W-1:0]] <= q_data[nitro_regs_pkg::TBL_ENI_VALID_LSB];
      end
      if (q_table == 3'(nitro_regs_pkg::TABLE_ID_EDGE)) begin
        for (int e = 0; e < NUM_EDGE; e++) begin
          if (q_index[EDGE_W-1:0] == EDGE_W'(e)) begin
            edge_valid_q[e]          <= q_data[nitro_regs_pkg::TBL_EDGE_VALID_LSB];
            edge_vni_q[24*e +: 24]   <= q_data[nitro_regs_pkg::TBL_EDGE_VNI_LSB +: 24];
            edge_ip_q[32*e +: 32]    <= q_data[nitro_regs_pkg::TBL_EDGE_UNDERLAY_IP_LSB +: 32];
          end
        end
      end
    end
  end

  // ENI reads
  logic [ENI_W-1:0] tx_eni, txl_eni, rx_eni, rd_eni;
  assign tx_eni  = eni_mem[tx_eni_slot[SLOT_W-1:0]];
  assign txl_eni = eni_mem[txl_eni_slot[SLOT_W-1:0]];
  assign rx_eni  = eni_mem[rx_eni_slot[SLOT_W-1:0]];
  assign rd_eni  = eni_mem[r_index_q[SLOT_W-1:0]];

  logic [31:0] unused_tx_sg_in;
  assign tx_eni_valid = (tx_eni_slot < 8'(NUM_ENI)) && eni_valid_q[tx_eni_slot[SLOT_W-1:0]];
  assign {tx_eni_sg_count, tx_eni_sg_base, unused_tx_sg_in, tx_eni_nacl, tx_eni_route, tx_eni_untracked,
          tx_eni_subnet, tx_eni_mac, tx_eni_ip, tx_eni_vni, tx_eni_sublen, tx_eni_sdc} = tx_eni;

  logic [31:0]  unused_txl_sg_out;
  logic [7:0]   unused_txl_route;
  logic [103:0] unused_txl_id;
  logic         unused_txl_sdc;
  assign {unused_txl_sg_out, txl_eni_sg_count, txl_eni_sg_base, txl_eni_nacl, unused_txl_route, txl_eni_untracked,
          txl_eni_subnet, unused_txl_id, txl_eni_sublen, unused_txl_sdc} = txl_eni;

  logic [31:0] unused_rx_sg_out;
  logic [7:0]  unused_rx_route;
  logic        unused_rx_sdc;
  assign rx_eni_valid = (rx_eni_slot < 8'(NUM_ENI)) && eni_valid_q[rx_eni_slot[SLOT_W-1:0]];
  assign {unused_rx_sg_out, rx_eni_sg_count, rx_eni_sg_base, rx_eni_nacl, unused_rx_route, rx_eni_untracked,
          rx_eni_subnet, rx_eni_mac, rx_eni_ip, rx_eni_vni, rx_eni_sublen, unused_rx_sdc} = rx_eni;

  // Filtering table writes (at commit) and read-back
  assign flt_wr_route = apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_ROUTE);
  assign flt_wr_nacl  = apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_NACL);
  assign flt_wr_sg    = apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_SG_RULE);
  assign flt_wr_tmo   = apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_ENI_CONNTRACK);
  assign flt_wr_bank  = apply && q_table == 3'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK);
  assign flt_wr_index = 32'(q_index);
  assign flt_wr_data  = q_data;
  assign flt_rd_mode  = (state_q == S_R_ADDR || state_q == S_R_DATA);
  assign flt_rd_index = 32'(r_index_q);

  // Edge compare
  always_comb begin
    edge_hit = 1'b0;
    for (int e = 0; e < NUM_EDGE; e++) begin
      if (edge_valid_q[e] && edge_vni_q[24*e +: 24] == edge_vni && edge_ip_q[32*e +: 32] == edge_ip) begin
        edge_hit = 1'b1;
      end
    end
  end

  // Rule (NACL / security group, 113 bits: {p2_hi, p2_lo, p1_hi, p1_lo, cidr, cidr_len, protocol,
  // any_protocol, allow, valid}) -> staging words (the nacl and sgRule layouts agree)
  function automatic logic [127:0] rule_to_words(input logic [112:0] r);
    logic [127:0] w;
    w = '0;
    w[nitro_regs_pkg::TBL_NACL_VALID_LSB]          = r[0];
    w[nitro_regs_pkg::TBL_NACL_ALLOW_LSB]          = r[1];
    w[nitro_regs_pkg::TBL_NACL_ANY_PROTOCOL_LSB]   = r[2];
    w[nitro_regs_pkg::TBL_NACL_PROTOCOL_LSB +: 8]  = r[10:3];
    w[nitro_regs_pkg::TBL_NACL_CIDR_LEN_LSB +: 6]  = r[16:11];
    w[nitro_regs_pkg::TBL_NACL_CIDR_LSB +: 32]     = r[48:17];
    w[nitro_regs_pkg::TBL_NACL_P1_LO_LSB +: 16]    = r[64:49];
    w[nitro_regs_pkg::TBL_NACL_P1_HI_LSB +: 16]    = r[80:65];
    w[nitro_regs_pkg::TBL_NACL_P2_LO_LSB +: 16]    = r[96:81];
    w[nitro_regs_pkg::TBL_NACL_P2_HI_LSB +: 16]    = r[112:97];
    rule_to_words = w;
  endfunction

  // Read-back formatting into the staging layout
  logic [255:0] rd_fmt;
  always_comb begin
    rd_fmt = '0;
    if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_ENI)) begin
      rd_fmt[nitro_regs_pkg::TBL_ENI_VALID_LSB]              = eni_valid_q[r_index_q[SLOT_W-1:0]];
      {rd_fmt[nitro_regs_pkg::TBL_ENI_SG_OUT_COUNT_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SG_OUT_BASE_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SG_IN_COUNT_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SG_IN_BASE_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_ENI_NACL_LSB +: 8],
       rd_fmt[nitro_regs_pkg::TBL_ENI_ROUTE_TABLE_LSB +: 8],
       rd_fmt[nitro_regs_pkg::TBL_ENI_UNTRACKED_LSB],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SUBNET_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_ENI_MAC_HI_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_ENI_MAC_LO_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_ENI_IP_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_ENI_VNI_LSB +: 24],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SUBNET_LEN_LSB +: 6],
       rd_fmt[nitro_regs_pkg::TBL_ENI_SRC_DST_CHECK_LSB]}   = rd_eni;
    end else if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_MAPPING)) begin
      {rd_fmt[nitro_regs_pkg::TBL_MAPPING_MAC_HI_LSB +: 16],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_MAC_LO_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_UNDERLAY_IP_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_IP_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_VNI_LSB +: 24],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_LOCAL_SLOT_LSB +: 8],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_LOCAL_LSB],
       rd_fmt[nitro_regs_pkg::TBL_MAPPING_VALID_LSB]}       = map_rd_entry;
    end else if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_ROUTE)) begin
      {rd_fmt[nitro_regs_pkg::TBL_ROUTE_EDGE_IP_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_ROUTE_START_LSB +: 32],
       rd_fmt[nitro_regs_pkg::TBL_ROUTE_TABLE_LSB +: 8],
       rd_fmt[nitro_regs_pkg::TBL_ROUTE_KIND_LSB +: 2],
       rd_fmt[nitro_regs_pkg::TBL_ROUTE_VALID_LSB]}          = route_rd_data;
    end else if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_NACL) || r_table_q == 3'(nitro_regs_pkg::TABLE_ID_SG_RULE)) begin
      rd_fmt[127:0] = rule_to_words(r_table_q == 3'(nitro_regs_pkg::TABLE_ID_NACL) ? nacl_rd_data : sg_rd_data);
    end else if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_ENI_CONNTRACK)) begin
      rd_fmt[nitro_regs_pkg::TBL_ENI_CONNTRACK_TCP_ESTABLISHED_LSB +: 32] = tmo_rd_data[31:0];
      rd_fmt[nitro_regs_pkg::TBL_ENI_CONNTRACK_UDP_STREAM_LSB +: 32]      = tmo_rd_data[63:32];
      rd_fmt[nitro_regs_pkg::TBL_ENI_CONNTRACK_UDP_LSB +: 32]             = tmo_rd_data[95:64];
    end else if (r_table_q == 3'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK)) begin
      rd_fmt[nitro_regs_pkg::TBL_ROUTE_BANK_ACTIVE_LSB] = route_bank;
    end else begin
      for (int e = 0; e < NUM_EDGE; e++) begin
        if (r_index_q[EDGE_W-1:0] == EDGE_W'(e)) begin
          rd_fmt[nitro_regs_pkg::TBL_EDGE_VALID_LSB]             = edge_valid_q[e];
          rd_fmt[nitro_regs_pkg::TBL_EDGE_VNI_LSB +: 24]         = edge_vni_q[24*e +: 24];
          rd_fmt[nitro_regs_pkg::TBL_EDGE_UNDERLAY_IP_LSB +: 32] = edge_ip_q[32*e +: 32];
        end
      end
    end
  end

  // ---------------------------------------------------------------- command engine
  assign freeze = (state_q != S_IDLE);

  always_ff @(posedge clk) begin
    if (wr_cmd && state_q == S_IDLE && cmd_op == 4'(nitro_regs_pkg::TABLE_OP_STAGE)
        && cmd_table <= 4'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK) && idx_ok && queued_q < QPTR_W'(BATCH_DEPTH)) begin
      qmem[queued_q[$clog2(BATCH_DEPTH) > 0 ? $clog2(BATCH_DEPTH)-1 : 0 : 0]] <=
        {cmd_table[2:0], index_q[IDX_W-1:0], data_q[QD_W-1:0]};
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      data_q    <= '0;
      index_q   <= nitro_regs_pkg::TBL_INDEX_RESET;
      rdata_q   <= '0;
      error_q   <= 1'b0;
      state_q   <= S_IDLE;
      queued_q  <= '0;
      qrd_q     <= '0;
      r_table_q <= '0;
      r_index_q <= '0;
    end else begin
      if (wr_index) index_q <= csr_wdata;
      if (wr_data)  data_q[32*data_word +: 32] <= csr_wdata;

      if (wr_cmd) begin
        if (state_q != S_IDLE) begin
          error_q <= 1'b1;                          // command while busy: ignored
        end else begin
          error_q <= 1'b0;
          unique case (cmd_op)
            4'(nitro_regs_pkg::TABLE_OP_STAGE): begin
              if (cmd_table > 4'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK) || !idx_ok
                  || queued_q >= QPTR_W'(BATCH_DEPTH)) begin
                error_q <= 1'b1;
              end else begin
                queued_q <= queued_q + 1'b1;
              end
            end
            4'(nitro_regs_pkg::TABLE_OP_COMMIT): begin
              if (queued_q != '0) begin
                state_q <= S_C_WAIT;
                qrd_q   <= '0;
              end
            end
            4'(nitro_regs_pkg::TABLE_OP_READ): begin
              if (cmd_table > 4'(nitro_regs_pkg::TABLE_ID_ROUTE_BANK) || !idx_ok) begin
                error_q <= 1'b1;
              end else begin
                state_q   <= S_R_WAIT;
                r_table_q <= cmd_table[2:0];
                r_index_q <= index_q[IDX_W-1:0];
              end
            end
            4'(nitro_regs_pkg::TABLE_OP_DISCARD): begin
              queued_q <= '0;
            end
            default: error_q <= 1'b1;
          endcase
        end
      end

      unique case (state_q)
        S_IDLE: ;
        S_C_WAIT: if (quiet) state_q <= S_C_RUN;
        S_C_RUN: begin
          qrd_q <= qrd_q + 1'b1;
          if (qrd_q + 1'b1 == queued_q) begin
            state_q  <= S_IDLE;
            queued_q <= '0;
          end
        end
        S_R_WAIT: if (quiet) state_q <= S_R_ADDR;
        S_R_ADDR: state_q <= S_R_DATA;
        S_R_DATA: begin
          rdata_q <= rd_fmt;
          state_q <= S_IDLE;
        end
        default: state_q <= S_IDLE;
      endcase
    end
  end

  // ---------------------------------------------------------------- CSR read data
  always_comb begin
    csr_rd = '0;
    if (csr_addr == nitro_regs_pkg::ADDR_TBL_INDEX) csr_rd = index_q;
    if (csr_addr == nitro_regs_pkg::ADDR_TBL_STATUS) begin
      csr_rd[nitro_regs_pkg::TBL_STATUS_BUSY_LSB]        = (state_q != S_IDLE);
      csr_rd[nitro_regs_pkg::TBL_STATUS_ERROR_LSB]       = error_q;
      csr_rd[nitro_regs_pkg::TBL_STATUS_QUEUED_LSB +: 8] = 8'(queued_q);
    end
    if (csr_addr[15:5] == nitro_regs_pkg::ADDR_TBL_DATA[15:5] && csr_addr[1:0] == 2'b00) begin
      csr_rd = data_q[32*data_word +: 32];
    end
    if (csr_addr[15:5] == nitro_regs_pkg::ADDR_TBL_RDATA[15:5] && csr_addr[1:0] == 2'b00) begin
      csr_rd = rdata_q[32*data_word +: 32];
    end
  end

  logic unused_bits;
  assign unused_bits = ^{index_q, q_index, r_index_q, txl_eni_slot, unused_tx_sg_in, unused_txl_sg_out, unused_txl_route,
                         unused_txl_id, unused_txl_sdc, unused_rx_sg_out, unused_rx_route, unused_rx_sdc};

endmodule
