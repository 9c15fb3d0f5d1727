// nitro_card: the Nitro Card for VPC data plane (docs/card-semantics.md, docs/card-filtering.md).
//
//   host in -> nitro_ingress (beat FIFO + header FIFO) -> nitro_tx_lookup (checks, mapping,
//           routes, ACLs) -> pre-decision FIFO -> nitro_conntrack (security groups, shared)
//           -> decision FIFO -> nitro_tx_editor -> host out (via nitro_arbiter) / net out
//   net in  -> nitro_ingress -> nitro_rx_lookup -> pre-decision FIFO -> nitro_conntrack
//           -> decision FIFO -> nitro_rx_editor -> host out (via nitro_arbiter)
//   host in -> nitro_punt -> punt queue -> firmware (link-local services); firmware -> nitro_inject
//           -> host out (merged after nitro_arbiter) (docs/card-punt.md)
//   nitro_tables (ENI, mapping, edge, filtering tables, atomic batches), nitro_counters,
//   nitro_alarm_fifo and nitro_csr hang off the CSR bus. Counters and alarms are reported
//   where the final decision is made (the output of nitro_conntrack).
module nitro_card #(
  parameter int DATA_WIDTH         = 512,  // bits per beat (only 512 is supported)
  parameter int KEEP_WIDTH         = DATA_WIDTH / 8,
  parameter int NUM_ENI            = 64,   // ENI slots (<= 256)
  parameter int MAP_WAY_DEPTH_LOG2 = 15,   // entries per way: 2 ways -> 65,536 entries; up to 19 (1M)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2, // entries per bucket (log2): 4-slot buckets
  parameter int IP_MTU             = 9001,
  parameter int NUM_EDGE           = 8,
  parameter int ALARM_DEPTH        = 64,
  parameter int BATCH_DEPTH        = 64,
  parameter int ROUTE_LEVELS       = 12,   // route bank: 2**ROUTE_LEVELS - 1 intervals
  parameter int NUM_NACL           = 16,   // network ACLs
  parameter int NACL_RULES         = 40,   // rules per ACL and direction
  parameter int SG_RULES_LOG2      = 14,   // security group rules shared by the ENIs (log2)
  parameter int CT_BUCKETS_LOG2    = 18,   // tracking buckets (log2): x CT_WAYS = 1M flows
  parameter int CT_WAYS            = 4     // entries per tracking bucket
) (
  input  logic                  clk,
  input  logic                  rst,                 // synchronous, active high
  // Host port in (instance -> card); tuser = ENI slot
  input  logic [DATA_WIDTH-1:0] s_axis_host_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_host_tkeep,
  input  logic                  s_axis_host_tvalid,
  output logic                  s_axis_host_tready,
  input  logic                  s_axis_host_tlast,
  input  logic [7:0]            s_axis_host_tuser,
  // Host port out (card -> instance); tuser = ENI slot
  output logic [DATA_WIDTH-1:0] m_axis_host_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_host_tkeep,
  output logic                  m_axis_host_tvalid,
  input  logic                  m_axis_host_tready,
  output logic                  m_axis_host_tlast,
  output logic [7:0]            m_axis_host_tuser,
  // Network port in (substrate -> card)
  input  logic [DATA_WIDTH-1:0] s_axis_net_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_net_tkeep,
  input  logic                  s_axis_net_tvalid,
  output logic                  s_axis_net_tready,
  input  logic                  s_axis_net_tlast,
  // Network port out
  output logic [DATA_WIDTH-1:0] m_axis_net_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_net_tkeep,
  output logic                  m_axis_net_tvalid,
  input  logic                  m_axis_net_tready,
  output logic                  m_axis_net_tlast,
  // Punt queue out (card -> firmware: frames to the link-local services); tuser = ENI slot
  output logic [DATA_WIDTH-1:0] m_axis_punt_tdata,
  output logic [KEEP_WIDTH-1:0] m_axis_punt_tkeep,
  output logic                  m_axis_punt_tvalid,
  input  logic                  m_axis_punt_tready,
  output logic                  m_axis_punt_tlast,
  output logic [7:0]            m_axis_punt_tuser,
  // Injection in (firmware -> card: the services' answers, delivered to ENI slot tuser)
  input  logic [DATA_WIDTH-1:0] s_axis_inject_tdata,
  input  logic [KEEP_WIDTH-1:0] s_axis_inject_tkeep,
  input  logic                  s_axis_inject_tvalid,
  output logic                  s_axis_inject_tready,
  input  logic                  s_axis_inject_tlast,
  input  logic [7:0]            s_axis_inject_tuser,
  // CSR bus: always ready; a write takes effect at the clock edge; a read's csr_rdata/csr_rvalid
  // are registered (valid in the cycle after the request). Read side effects at that edge.
  input  logic                  csr_valid,
  input  logic                  csr_write,
  input  logic [15:0]           csr_addr,    // byte address
  input  logic [31:0]           csr_wdata,
  output logic [31:0]           csr_rdata,
  output logic                  csr_rvalid,
  // Flow records to the host (docs/card-flow-records.md): the record FIFO's head, valid/ready
  output logic [nitro_regs_pkg::FLOW_REC_WIDTH-1:0] m_flow_data,  // a flowRec
  output logic                  m_flow_valid,
  input  logic                  m_flow_ready,
  // No frame buffered or in flight anywhere in the card (the simulator runs until idle)
  output logic                  idle
);

  if (DATA_WIDTH != 512) begin : g_chk_width
    $error("nitro_card: DATA_WIDTH must be 512");
  end
  if (KEEP_WIDTH != DATA_WIDTH / 8) begin : g_chk_keep
    $error("nitro_card: KEEP_WIDTH must be DATA_WIDTH / 8");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_card: NUM_ENI must be in 2..256");
  end
  if (MAP_WAY_DEPTH_LOG2 < 1 || MAP_WAY_DEPTH_LOG2 > 19) begin : g_chk_map
    $error("nitro_card: MAP_WAY_DEPTH_LOG2 must be in 1..19");
  end
  if (MAP_BUCKET_SLOTS_LOG2 < 0 || MAP_BUCKET_SLOTS_LOG2 > 3 || MAP_BUCKET_SLOTS_LOG2 >= MAP_WAY_DEPTH_LOG2) begin : g_chk_slots
    $error("nitro_card: MAP_BUCKET_SLOTS_LOG2 must be in 0..3 and below MAP_WAY_DEPTH_LOG2");
  end
  if (IP_MTU < 68 || IP_MTU > 16000) begin : g_chk_mtu
    $error("nitro_card: IP_MTU must be in 68..16000");
  end
  if (NUM_EDGE < 1 || NUM_EDGE > 255) begin : g_chk_edge
    $error("nitro_card: NUM_EDGE must be in 1..255");
  end
  if (ALARM_DEPTH < 4 || ALARM_DEPTH > 32768 || 2 ** $clog2(ALARM_DEPTH) != ALARM_DEPTH) begin : g_chk_alarm
    $error("nitro_card: ALARM_DEPTH must be a power of two in 4..32768");
  end
  if (BATCH_DEPTH < 1 || BATCH_DEPTH > 255) begin : g_chk_batch
    $error("nitro_card: BATCH_DEPTH must be in 1..255");
  end
  if (ROUTE_LEVELS < 2 || ROUTE_LEVELS > 16) begin : g_chk_route
    $error("nitro_card: ROUTE_LEVELS must be in 2..16");
  end
  if (NUM_NACL < 1 || NUM_NACL > 128 || NACL_RULES < 1 || NACL_RULES > 255) begin : g_chk_nacl
    $error("nitro_card: NUM_NACL must be in 1..128, NACL_RULES in 1..255");
  end
  if (SG_RULES_LOG2 < 3 || SG_RULES_LOG2 > 16) begin : g_chk_sg
    $error("nitro_card: SG_RULES_LOG2 must be in 3..16");
  end
  if (CT_BUCKETS_LOG2 < 2 || CT_BUCKETS_LOG2 > 20 || CT_WAYS < 1 || CT_WAYS > 8) begin : g_chk_ct
    $error("nitro_card: CT_BUCKETS_LOG2 must be in 2..20, CT_WAYS in 1..8");
  end

  localparam int MAP_W       = 146;
  localparam int MAX_TX      = 14 + IP_MTU;
  localparam int MAX_RX      = 14 + IP_MTU + 50;
  localparam int BEATS_LOG2  = $clog2(2 * ((MAX_RX + 63) / 64 + 1));
  localparam int HDR_LOG2    = 5;     // header FIFO: 32 records per direction
  localparam int DEC_LOG2    = 5;     // decision FIFO: 32 decisions per direction (deep lookups)
  localparam int PRE_LOG2    = 5;     // pre-decision FIFO (lookup -> nitro_conntrack)
  localparam int PUNT_LOG2   = 6;     // punt and injection queues: 64 beats (a 4096-byte frame) each
  localparam int PAY_W       = nitro_regs_pkg::CT_REC_PAY_WIDTH;  // record payload (a txPay; an rxPay zero-extended)
  localparam int FLOW_LOG2   = 9;     // flow record FIFO: 512 records + the output register
  localparam int FREC_W      = nitro_regs_pkg::FLOW_REC_WIDTH;
  localparam int REC_W       = nitro_regs_pkg::CT_REC_WIDTH;  // tracking record (lookups -> nitro_conntrack)
  localparam int TXD_W       = nitro_regs_pkg::TX_DEC_WIDTH;  // decision FIFO words
  localparam int RXD_W       = nitro_regs_pkg::RX_DEC_WIDTH;
  localparam int ACNT_W      = $clog2(ALARM_DEPTH) + 1;
  localparam int L           = MAP_WAY_DEPTH_LOG2;
  localparam int MS          = MAP_BUCKET_SLOTS_LOG2;
  localparam int MB          = MAP_WAY_DEPTH_LOG2 - MAP_BUCKET_SLOTS_LOG2;  // bucket address bits

  // ---------------------------------------------------------------- CSR blocks
  logic [31:0] rd_csr, rd_tbl, rd_cnt, rd_punt, rd_inj, rd_edge;
  logic [31:0] underlay_ip, alarm_mask;
  logic [47:0] underlay_mac, nexthop_mac, gateway_mac;
  logic [63:0] time_base, cycle;
  logic [199:0] alarm_head;
  logic [ACNT_W-1:0] alarm_count;
  logic [31:0] alarm_overflow;
  logic        alarm_pop;

  always_ff @(posedge clk) begin
    if (rst) begin
      csr_rdata  <= '0;
      csr_rvalid <= 1'b0;
    end else begin
      csr_rvalid <= csr_valid && !csr_write;
      csr_rdata  <= (csr_valid && !csr_write) ? (rd_csr | rd_tbl | rd_cnt | rd_punt | rd_inj | rd_edge) : 32'h0;
    end
  end

  nitro_csr #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .NUM_EDGE           (NUM_EDGE),
    .BATCH_DEPTH        (BATCH_DEPTH),
    .ALARM_CNT_W        (ACNT_W),
    .ROUTE_LEVELS       (ROUTE_LEVELS),
    .NUM_NACL           (NUM_NACL),
    .NACL_RULES         (NACL_RULES),
    .SG_RULES_LOG2      (SG_RULES_LOG2),
    .CT_BUCKETS_LOG2    (CT_BUCKETS_LOG2),
    .CT_WAYS            (CT_WAYS),
    .FLOW_LOG2          (FLOW_LOG2)
  ) u_csr (
    .clk            (clk),
    .rst            (rst),
    .csr_valid      (csr_valid),
    .csr_write      (csr_write),
    .csr_addr       (csr_addr),
    .csr_wdata      (csr_wdata),
    .csr_rd         (rd_csr),
    .underlay_ip    (underlay_ip),
    .underlay_mac   (underlay_mac),
    .nexthop_mac    (nexthop_mac),
    .gateway_mac    (gateway_mac),
    .alarm_mask     (alarm_mask),
    .time_base      (time_base),
    .cycle          (cycle),
    .ct_free        (ct_free),
    .flow_overflows (flow_overflows),
    .ivl_wr_en      (ivl_wr_en),
    .ivl_wr_slot    (ivl_wr_slot),
    .ivl_wr_data    (ivl_wr_data),
    .alarm_head     (alarm_head),
    .alarm_count    (alarm_count),
    .alarm_overflow (alarm_overflow),
    .alarm_pop      (alarm_pop)
  );

  // ---------------------------------------------------------------- tables
  logic         freeze, quiet;
  logic [7:0]   tx_eni_slot, rx_eni_slot;
  logic         tx_eni_valid, tx_eni_sdc, rx_eni_valid;
  logic [5:0]   tx_eni_sublen;
  logic [23:0]  tx_eni_vni, rx_eni_vni, edge_vni;
  logic [31:0]  tx_eni_ip, tx_eni_subnet, rx_eni_ip, edge_ip;
  logic [47:0]  tx_eni_mac, rx_eni_mac;
  logic [MB-1:0] tx_map_addr0, tx_map_addr1, rx_map_addr0, rx_map_addr1;
  logic [(2**MS)*MAP_W-1:0] tx_map_data0, tx_map_data1, rx_map_data0, rx_map_data1;
  logic         edge_hit;
  logic [31:0]  ct_free, flow_overflows, ivl_wr_data;
  logic         ivl_wr_en;
  logic [7:0]   ivl_wr_slot;
  logic [7:0]   tx_eni_route, tx_eni_nacl, txl_eni_slot, txl_eni_nacl, rx_eni_nacl;
  logic         tx_eni_untracked, txl_eni_untracked, rx_eni_untracked;
  logic [15:0]  tx_eni_sgb, tx_eni_sgc, txl_eni_sgb, txl_eni_sgc, rx_eni_sgb, rx_eni_sgc;
  logic [31:0]  txl_eni_subnet, rx_eni_subnet;
  logic [5:0]   txl_eni_sublen, rx_eni_sublen;
  logic         flt_wr_route, flt_wr_nacl, flt_wr_sg, flt_wr_tmo, flt_wr_bank, flt_rd_mode;
  logic [31:0]  flt_wr_index, flt_rd_index;
  logic [255:0] flt_wr_data;
  logic [74:0]  route_rd_data;
  logic         route_bank;
  logic [112:0] nacl_rd_data, sg_rd_data;
  logic [95:0]  tmo_rd_data;

  nitro_tables #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .NUM_EDGE           (NUM_EDGE),
    .BATCH_DEPTH        (BATCH_DEPTH),
    .MAP_W              (MAP_W),
    .ROUTE_LEVELS       (ROUTE_LEVELS),
    .NUM_NACL           (NUM_NACL),
    .NACL_RULES         (NACL_RULES),
    .SG_RULES_LOG2      (SG_RULES_LOG2)
  ) u_tables (
    .clk           (clk),
    .rst           (rst),
    .csr_valid     (csr_valid),
    .csr_write     (csr_write),
    .csr_addr      (csr_addr),
    .csr_wdata     (csr_wdata),
    .csr_rd        (rd_tbl),
    .freeze        (freeze),
    .quiet         (quiet),
    .tx_eni_slot   (tx_eni_slot),
    .tx_eni_valid  (tx_eni_valid),
    .tx_eni_sdc    (tx_eni_sdc),
    .tx_eni_sublen (tx_eni_sublen),
    .tx_eni_vni    (tx_eni_vni),
    .tx_eni_ip     (tx_eni_ip),
    .tx_eni_mac    (tx_eni_mac),
    .tx_eni_subnet (tx_eni_subnet),
    .tx_eni_route  (tx_eni_route),
    .tx_eni_nacl   (tx_eni_nacl),
    .tx_eni_untracked (tx_eni_untracked),
    .tx_eni_sg_base   (tx_eni_sgb),
    .tx_eni_sg_count  (tx_eni_sgc),
    .txl_eni_slot     (txl_eni_slot),
    .txl_eni_nacl     (txl_eni_nacl),
    .txl_eni_subnet   (txl_eni_subnet),
    .txl_eni_sublen   (txl_eni_sublen),
    .txl_eni_untracked (txl_eni_untracked),
    .txl_eni_sg_base  (txl_eni_sgb),
    .txl_eni_sg_count (txl_eni_sgc),
    .rx_eni_slot   (rx_eni_slot),
    .rx_eni_valid  (rx_eni_valid),
    .rx_eni_vni    (rx_eni_vni),
    .rx_eni_ip     (rx_eni_ip),
    .rx_eni_mac    (rx_eni_mac),
    .rx_eni_nacl   (rx_eni_nacl),
    .rx_eni_subnet (rx_eni_subnet),
    .rx_eni_sublen (rx_eni_sublen),
    .rx_eni_untracked (rx_eni_untracked),
    .rx_eni_sg_base   (rx_eni_sgb),
    .rx_eni_sg_count  (rx_eni_sgc),
    .tx_map_addr0  (tx_map_addr0),
    .tx_map_addr1  (tx_map_addr1),
    .tx_map_data0  (tx_map_data0),
    .tx_map_data1  (tx_map_data1),
    .rx_map_addr0  (rx_map_addr0),
    .rx_map_addr1  (rx_map_addr1),
    .rx_map_data0  (rx_map_data0),
    .rx_map_data1  (rx_map_data1),
    .edge_vni      (edge_vni),
    .edge_ip       (edge_ip),
    .edge_hit      (edge_hit),
    .flt_wr_route  (flt_wr_route),
    .flt_wr_nacl   (flt_wr_nacl),
    .flt_wr_sg     (flt_wr_sg),
    .flt_wr_tmo    (flt_wr_tmo),
    .flt_wr_bank   (flt_wr_bank),
    .flt_wr_index  (flt_wr_index),
    .flt_wr_data   (flt_wr_data),
    .flt_rd_mode   (flt_rd_mode),
    .flt_rd_index  (flt_rd_index),
    .route_rd_data (route_rd_data),
    .route_bank    (route_bank),
    .nacl_rd_data  (nacl_rd_data),
    .sg_rd_data    (sg_rd_data),
    .tmo_rd_data   (tmo_rd_data)
  );

  // ---------------------------------------------------------------- punt path (docs/card-punt.md)
  // Frames to the link-local services leave the host input for the punt queue before the fast path.
  logic [511:0] hf_data;
  logic [63:0]  hf_keep;
  logic         hf_valid, hf_ready, hf_last;
  logic [7:0]   hf_user;
  logic         punt_drop, punt_busy;
  logic [3:0]   punt_reason;

  nitro_punt #(
    .DATA_WIDTH (DATA_WIDTH),
    .KEEP_WIDTH (KEEP_WIDTH),
    .NUM_ENI    (NUM_ENI),
    .DEPTH_LOG2 (PUNT_LOG2)
  ) u_punt (
    .clk                (clk),
    .rst                (rst),
    .csr_valid          (csr_valid),
    .csr_write          (csr_write),
    .csr_addr           (csr_addr),
    .csr_wdata          (csr_wdata),
    .csr_rd             (rd_punt),
    .now                (time_base),
    .s_axis_tdata       (s_axis_host_tdata),
    .s_axis_tkeep       (s_axis_host_tkeep),
    .s_axis_tvalid      (s_axis_host_tvalid),
    .s_axis_tready      (s_axis_host_tready),
    .s_axis_tlast       (s_axis_host_tlast),
    .s_axis_tuser       (s_axis_host_tuser),
    .m_axis_fast_tdata  (hf_data),
    .m_axis_fast_tkeep  (hf_keep),
    .m_axis_fast_tvalid (hf_valid),
    .m_axis_fast_tready (hf_ready),
    .m_axis_fast_tlast  (hf_last),
    .m_axis_fast_tuser  (hf_user),
    .m_axis_punt_tdata  (m_axis_punt_tdata),
    .m_axis_punt_tkeep  (m_axis_punt_tkeep),
    .m_axis_punt_tvalid (m_axis_punt_tvalid),
    .m_axis_punt_tready (m_axis_punt_tready),
    .m_axis_punt_tlast  (m_axis_punt_tlast),
    .m_axis_punt_tuser  (m_axis_punt_tuser),
    .drop               (punt_drop),
    .drop_reason        (punt_reason),
    .busy               (punt_busy)
  );

  // ---------------------------------------------------------------- TX direction
  logic [511:0] txb_data;
  logic         txb_last, txb_valid, txb_ready;
  logic [511:0] txh_data;
  logic [15:0]  txh_len;
  logic [7:0]   txh_user;
  logic         txh_valid, txh_ready, tx_in_busy;

  nitro_ingress #(
    .DATA_WIDTH      (DATA_WIDTH),
    .KEEP_WIDTH      (KEEP_WIDTH),
    .HDR_BYTES       (64),
    .MAX_LEN         (MAX_TX),
    .BEAT_DEPTH_LOG2 (BEATS_LOG2),
    .HDR_DEPTH_LOG2  (HDR_LOG2),
    .USER_WIDTH      (8)
  ) u_tx_in (
    .clk                (clk),
    .rst                (rst),
    .s_axis_tdata       (hf_data),
    .s_axis_tkeep       (hf_keep),
    .s_axis_tvalid      (hf_valid),
    .s_axis_tready      (hf_ready),
    .s_axis_tlast       (hf_last),
    .s_axis_tuser       (hf_user),
    .m_axis_beat_tdata  (txb_data),
    .m_axis_beat_tlast  (txb_last),
    .m_axis_beat_tvalid (txb_valid),
    .m_axis_beat_tready (txb_ready),
    .hdr_data           (txh_data),
    .hdr_len            (txh_len),
    .hdr_user           (txh_user),
    .hdr_valid          (txh_valid),
    .hdr_ready          (txh_ready),
    .busy               (tx_in_busy)
  );

  logic [TXD_W-1:0]   txd_wdata, txd_rdata;
  logic               txd_wr, txd_valid, txd_ready, txd_full, txd_empty, tx_lk_busy;
  logic [DEC_LOG2:0]  txd_space, tx_credit;
  logic               tx_drop, tx_st_tx, tx_st_rx;
  logic [3:0]         tx_reason;
  logic [7:0]         tx_slot, tx_rx_slot;
  logic [23:0]        tx_vni;
  logic [31:0]        tx_isrc, tx_idst;
  logic [15:0]        tx_len, tx_rx_len;
  logic [REC_W-1:0]   txp_wdata, txp_rdata;
  logic               txp_wr, txp_valid, txp_ready, txp_full, txp_empty;
  logic [PRE_LOG2:0]  txp_space;
  logic [1:0]         ct_tx_inflight, ct_rx_inflight;

  // Admission credits: decision FIFO room minus what the pre-decision FIFO and the conntrack
  // stage already hold for this direction (so neither FIFO can overflow).
  always_comb begin
    logic [DEC_LOG2+2:0] held;
    held = (DEC_LOG2+3)'(2 ** PRE_LOG2) - (DEC_LOG2+3)'(txp_space) + (DEC_LOG2+3)'(txp_valid) + (DEC_LOG2+3)'(ct_tx_inflight);
    tx_credit = ((DEC_LOG2+3)'(txd_space) > held) ? (DEC_LOG2+1)'((DEC_LOG2+3)'(txd_space) - held) : '0;
  end

  nitro_tx_lookup #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .DEC_SPACE_W        (DEC_LOG2 + 1),
    .MAP_W              (MAP_W),
    .ROUTE_LEVELS       (ROUTE_LEVELS),
    .NUM_NACL           (NUM_NACL),
    .NACL_RULES         (NACL_RULES),
    .REC_W              (REC_W)
  ) u_tx_lookup (
    .clk          (clk),
    .rst          (rst),
    .hdr_data     (txh_data),
    .hdr_len      (txh_len),
    .hdr_user     (txh_user),
    .hdr_valid    (txh_valid),
    .hdr_ready    (txh_ready),
    .freeze       (freeze),
    .dec_space    (tx_credit),
    .busy         (tx_lk_busy),
    .underlay_ip  (underlay_ip),
    .underlay_mac (underlay_mac),
    .nexthop_mac  (nexthop_mac),
    .gateway_mac  (gateway_mac),
    .csr_valid    (csr_valid),
    .csr_write    (csr_write),
    .csr_addr     (csr_addr),
    .csr_wdata    (csr_wdata),
    .edge_csr_rd  (rd_edge),
    .eni_slot     (tx_eni_slot),
    .eni_valid    (tx_eni_valid),
    .eni_sdc      (tx_eni_sdc),
    .eni_sublen   (tx_eni_sublen),
    .eni_vni      (tx_eni_vni),
    .eni_ip       (tx_eni_ip),
    .eni_mac      (tx_eni_mac),
    .eni_subnet   (tx_eni_subnet),
    .eni_route    (tx_eni_route),
    .eni_nacl     (tx_eni_nacl),
    .eni_untracked (tx_eni_untracked),
    .eni_sg_base  (tx_eni_sgb),
    .eni_sg_count (tx_eni_sgc),
    .leni_slot    (txl_eni_slot),
    .leni_nacl    (txl_eni_nacl),
    .leni_subnet  (txl_eni_subnet),
    .leni_sublen  (txl_eni_sublen),
    .leni_untracked (txl_eni_untracked),
    .leni_sg_base (txl_eni_sgb),
    .leni_sg_count (txl_eni_sgc),
    .route_wr     (flt_wr_route),
    .nacl_wr      (flt_wr_nacl),
    .bank_wr      (flt_wr_bank),
    .flt_wr_index (flt_wr_index),
    .flt_wr_data  (flt_wr_data),
    .flt_rd_mode  (flt_rd_mode),
    .flt_rd_index (flt_rd_index),
    .route_rd_data (route_rd_data),
    .route_bank   (route_bank),
    .nacl_rd_data (nacl_rd_data),
    .map_addr0    (tx_map_addr0),
    .map_addr1    (tx_map_addr1),
    .map_data0    (tx_map_data0),
    .map_data1    (tx_map_data1),
    .rec_data     (txp_wdata),
    .rec_wr       (txp_wr)
  );

  nitro_fifo #(.WIDTH(REC_W), .DEPTH_LOG2(PRE_LOG2)) u_tx_pre (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (txp_wdata),
    .wr_en    (txp_wr),
    .full     (txp_full),
    .space    (txp_space),
    .rd_data  (txp_rdata),
    .rd_valid (txp_valid),
    .rd_ready (txp_ready),
    .empty    (txp_empty)
  );

  nitro_fifo #(.WIDTH(TXD_W), .DEPTH_LOG2(DEC_LOG2)) u_tx_dec (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (txd_wdata),
    .wr_en    (txd_wr),
    .full     (txd_full),
    .space    (txd_space),
    .rd_data  (txd_rdata),
    .rd_valid (txd_valid),
    .rd_ready (txd_ready),
    .empty    (txd_empty)
  );

  logic [511:0] txo_h_data;
  logic [63:0]  txo_h_keep;
  logic         txo_h_valid, txo_h_ready, txo_h_last;
  logic [7:0]   txo_h_user;
  logic         tx_ed_busy;

  nitro_tx_editor #(.DATA_WIDTH(DATA_WIDTH)) u_tx_editor (
    .clk                (clk),
    .rst                (rst),
    .s_axis_tdata       (txb_data),
    .s_axis_tlast       (txb_last),
    .s_axis_tvalid      (txb_valid),
    .s_axis_tready      (txb_ready),
    .dec_data           (txd_rdata),
    .dec_valid          (txd_valid),
    .dec_ready          (txd_ready),
    .m_axis_host_tdata  (txo_h_data),
    .m_axis_host_tkeep  (txo_h_keep),
    .m_axis_host_tvalid (txo_h_valid),
    .m_axis_host_tready (txo_h_ready),
    .m_axis_host_tlast  (txo_h_last),
    .m_axis_host_tuser  (txo_h_user),
    .m_axis_net_tdata   (m_axis_net_tdata),
    .m_axis_net_tkeep   (m_axis_net_tkeep),
    .m_axis_net_tvalid  (m_axis_net_tvalid),
    .m_axis_net_tready  (m_axis_net_tready),
    .m_axis_net_tlast   (m_axis_net_tlast),
    .busy               (tx_ed_busy)
  );

  // ---------------------------------------------------------------- RX direction
  logic [511:0] rxb_data;
  logic         rxb_last, rxb_valid, rxb_ready;
  logic [783:0] rxh_data;
  logic [15:0]  rxh_len;
  logic [7:0]   rxh_user;
  logic         rxh_valid, rxh_ready, rx_in_busy;

  nitro_ingress #(
    .DATA_WIDTH      (DATA_WIDTH),
    .KEEP_WIDTH      (KEEP_WIDTH),
    .HDR_BYTES       (98),
    .MAX_LEN         (MAX_RX),
    .BEAT_DEPTH_LOG2 (BEATS_LOG2),
    .HDR_DEPTH_LOG2  (HDR_LOG2),
    .USER_WIDTH      (8)
  ) u_rx_in (
    .clk                (clk),
    .rst                (rst),
    .s_axis_tdata       (s_axis_net_tdata),
    .s_axis_tkeep       (s_axis_net_tkeep),
    .s_axis_tvalid      (s_axis_net_tvalid),
    .s_axis_tready      (s_axis_net_tready),
    .s_axis_tlast       (s_axis_net_tlast),
    .s_axis_tuser       (8'h00),
    .m_axis_beat_tdata  (rxb_data),
    .m_axis_beat_tlast  (rxb_last),
    .m_axis_beat_tvalid (rxb_valid),
    .m_axis_beat_tready (rxb_ready),
    .hdr_data           (rxh_data),
    .hdr_len            (rxh_len),
    .hdr_user           (rxh_user),
    .hdr_valid          (rxh_valid),
    .hdr_ready          (rxh_ready),
    .busy               (rx_in_busy)
  );

  logic [RXD_W-1:0]   rxd_wdata, rxd_rdata;
  logic               rxd_wr, rxd_valid, rxd_ready, rxd_full, rxd_empty, rx_lk_busy;
  logic [DEC_LOG2:0]  rxd_space, rx_credit;
  logic               rx_drop, rx_st_rx;
  logic [3:0]         rx_reason;
  logic [7:0]         rx_slot, rx_rx_slot;
  logic [23:0]        rx_vni;
  logic [31:0]        rx_osrc, rx_isrc, rx_idst;
  logic [15:0]        rx_rx_len;
  logic [REC_W-1:0]   rxp_wdata, rxp_rdata;
  logic               rxp_wr, rxp_valid, rxp_ready, rxp_full, rxp_empty;
  logic [PRE_LOG2:0]  rxp_space;

  always_comb begin
    logic [DEC_LOG2+2:0] held;
    held = (DEC_LOG2+3)'(2 ** PRE_LOG2) - (DEC_LOG2+3)'(rxp_space) + (DEC_LOG2+3)'(rxp_valid) + (DEC_LOG2+3)'(ct_rx_inflight);
    rx_credit = ((DEC_LOG2+3)'(rxd_space) > held) ? (DEC_LOG2+1)'((DEC_LOG2+3)'(rxd_space) - held) : '0;
  end

  nitro_rx_lookup #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .DEC_SPACE_W        (DEC_LOG2 + 1),
    .MAP_W              (MAP_W),
    .NUM_NACL           (NUM_NACL),
    .NACL_RULES         (NACL_RULES),
    .REC_W              (REC_W)
  ) u_rx_lookup (
    .clk         (clk),
    .rst         (rst),
    .hdr_data    (rxh_data),
    .hdr_len     (rxh_len),
    .hdr_valid   (rxh_valid),
    .hdr_ready   (rxh_ready),
    .freeze      (freeze),
    .dec_space   (rx_credit),
    .busy        (rx_lk_busy),
    .underlay_ip (underlay_ip),
    .map_addr0   (rx_map_addr0),
    .map_addr1   (rx_map_addr1),
    .map_data0   (rx_map_data0),
    .map_data1   (rx_map_data1),
    .eni_slot    (rx_eni_slot),
    .eni_valid   (rx_eni_valid),
    .eni_vni     (rx_eni_vni),
    .eni_ip      (rx_eni_ip),
    .eni_mac     (rx_eni_mac),
    .eni_nacl    (rx_eni_nacl),
    .eni_subnet  (rx_eni_subnet),
    .eni_sublen  (rx_eni_sublen),
    .eni_untracked (rx_eni_untracked),
    .eni_sg_base (rx_eni_sgb),
    .eni_sg_count (rx_eni_sgc),
    .nacl_wr     (flt_wr_nacl),
    .flt_wr_index (flt_wr_index),
    .flt_wr_data (flt_wr_data),
    .flt_rd_mode (flt_rd_mode),
    .flt_rd_index (flt_rd_index),
    .edge_vni    (edge_vni),
    .edge_ip     (edge_ip),
    .edge_hit    (edge_hit),
    .rec_data    (rxp_wdata),
    .rec_wr      (rxp_wr)
  );

  nitro_fifo #(.WIDTH(REC_W), .DEPTH_LOG2(PRE_LOG2)) u_rx_pre (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (rxp_wdata),
    .wr_en    (rxp_wr),
    .full     (rxp_full),
    .space    (rxp_space),
    .rd_data  (rxp_rdata),
    .rd_valid (rxp_valid),
    .rd_ready (rxp_ready),
    .empty    (rxp_empty)
  );

  // ---------------------------------------------------------------- security groups + conntrack
  logic               ct_busy, ct_rec_busy, ct_out_v, ct_out_rx, ct_out_drop;
  logic [PAY_W-1:0]   ct_pay, tx_pay, rx_pay;
  logic [3:0]         ct_out_reason;
  logic [1:0]         sg_v, sg_ingress, sg_allowed, sg_exceeded;
  logic [15:0]        sg_slot;

  nitro_conntrack #(
    .BUCKETS_LOG2  (CT_BUCKETS_LOG2),
    .WAYS          (CT_WAYS),
    .NUM_ENI       (NUM_ENI),
    .SG_RULES_LOG2 (SG_RULES_LOG2),
    .PAY_W         (PAY_W),
    .FLOW_LOG2     (FLOW_LOG2),
    .REC_W         (REC_W),
    .FREC_W        (FREC_W)
  ) u_conntrack (
    .clk         (clk),
    .rst         (rst),
    .freeze      (freeze),
    .busy        (ct_busy),
    .rec_busy    (ct_rec_busy),
    .now         (time_base),
    .tx_rec      (txp_rdata),
    .tx_valid    (txp_valid),
    .tx_ready    (txp_ready),
    .rx_rec      (rxp_rdata),
    .rx_valid    (rxp_valid),
    .rx_ready    (rxp_ready),
    .tx_inflight (ct_tx_inflight),
    .rx_inflight (ct_rx_inflight),
    .out_v       (ct_out_v),
    .out_rx      (ct_out_rx),
    .out_pay     (ct_pay),
    .out_drop    (ct_out_drop),
    .out_reason  (ct_out_reason),
    .sg_v        (sg_v),
    .sg_slot     (sg_slot),
    .sg_ingress  (sg_ingress),
    .sg_allowed  (sg_allowed),
    .sg_exceeded (sg_exceeded),
    .ct_free     (ct_free),
    .sg_wr_en    (flt_wr_sg),
    .sg_wr_index (flt_wr_index[SG_RULES_LOG2-1:0]),
    .sg_wr_data  ({flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_P2_HI_LSB +: 16], flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_P2_LO_LSB +: 16],
                   flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_P1_HI_LSB +: 16], flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_P1_LO_LSB +: 16],
                   flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_CIDR_LSB +: 32], flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_CIDR_LEN_LSB +: 6],
                   flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_PROTOCOL_LSB +: 8], flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_ANY_PROTOCOL_LSB],
                   1'b0, flt_wr_data[nitro_regs_pkg::TBL_SG_RULE_VALID_LSB]}),
    .tmo_wr_en   (flt_wr_tmo),
    .tmo_wr_slot (flt_wr_index[7:0]),
    .tmo_wr_data ({flt_wr_data[nitro_regs_pkg::TBL_ENI_CONNTRACK_UDP_LSB +: 32],
                   flt_wr_data[nitro_regs_pkg::TBL_ENI_CONNTRACK_UDP_STREAM_LSB +: 32],
                   flt_wr_data[nitro_regs_pkg::TBL_ENI_CONNTRACK_TCP_ESTABLISHED_LSB +: 32]}),
    .rd_mode     (flt_rd_mode),
    .sg_rd_index (flt_rd_index[SG_RULES_LOG2-1:0]),
    .sg_rd_data  (sg_rd_data),
    .tmo_rd_slot (flt_rd_index[7:0]),
    .tmo_rd_data (tmo_rd_data),
    .ivl_wr_en      (ivl_wr_en),
    .ivl_wr_slot    (ivl_wr_slot),
    .ivl_wr_data    (ivl_wr_data),
    .flow_data      (m_flow_data),
    .flow_valid     (m_flow_valid),
    .flow_ready     (m_flow_ready),
    .flow_overflows (flow_overflows)
  );

  // Final decisions: the record's payload (a txPay or an rxPay, nitro_regs_pkg) with the security group
  // verdict applied.
  logic [TXD_W-1:0] tx_dec;
  logic [1:0]       tx_kind;
  assign tx_pay    = ct_pay;
  assign tx_dec    = tx_pay[nitro_regs_pkg::TX_PAY_DEC_LSB +: nitro_regs_pkg::TX_PAY_DEC_WIDTH];
  assign tx_kind   = ct_out_drop ? 2'd0 : tx_dec[nitro_regs_pkg::TX_DEC_KIND_LSB +: nitro_regs_pkg::TX_DEC_KIND_WIDTH];
  assign txd_wr    = ct_out_v && !ct_out_rx;
  always_comb begin
    txd_wdata = tx_dec;
    txd_wdata[nitro_regs_pkg::TX_DEC_KIND_LSB +: nitro_regs_pkg::TX_DEC_KIND_WIDTH] = tx_kind;
  end
  assign tx_drop   = txd_wr && tx_kind == 2'd0;
  assign tx_reason = ct_out_drop ? ct_out_reason : tx_pay[nitro_regs_pkg::TX_PAY_REASON_LSB +: nitro_regs_pkg::TX_PAY_REASON_WIDTH];
  assign tx_slot   = tx_pay[nitro_regs_pkg::TX_PAY_SLOT_LSB +: nitro_regs_pkg::TX_PAY_SLOT_WIDTH];
  assign tx_vni    = tx_pay[nitro_regs_pkg::TX_PAY_VNI_LSB +: nitro_regs_pkg::TX_PAY_VNI_WIDTH];
  assign tx_isrc   = tx_pay[nitro_regs_pkg::TX_PAY_ISRC_LSB +: nitro_regs_pkg::TX_PAY_ISRC_WIDTH];
  assign tx_idst   = tx_pay[nitro_regs_pkg::TX_PAY_IDST_LSB +: nitro_regs_pkg::TX_PAY_IDST_WIDTH];
  assign tx_len    = tx_pay[nitro_regs_pkg::TX_PAY_LEN_LSB +: nitro_regs_pkg::TX_PAY_LEN_WIDTH];
  assign tx_st_tx  = txd_wr && tx_kind != 2'd0;
  assign tx_st_rx  = txd_wr && (tx_kind == 2'd1 || tx_kind == 2'd2);
  assign tx_rx_slot = tx_dec[nitro_regs_pkg::TX_DEC_TUSER_LSB +: nitro_regs_pkg::TX_DEC_TUSER_WIDTH];
  assign tx_rx_len  = tx_dec[nitro_regs_pkg::TX_DEC_OUT_LEN_LSB +: nitro_regs_pkg::TX_DEC_OUT_LEN_WIDTH];

  logic [RXD_W-1:0] rx_dec;
  logic             rx_fdrop;
  assign rx_pay     = ct_pay;
  assign rx_dec     = rx_pay[nitro_regs_pkg::RX_PAY_DEC_LSB +: nitro_regs_pkg::RX_PAY_DEC_WIDTH];
  assign rx_fdrop   = rx_dec[nitro_regs_pkg::RX_DEC_DROP_LSB] || ct_out_drop;
  assign rxd_wr     = ct_out_v && ct_out_rx;
  always_comb begin
    rxd_wdata = rx_dec;
    rxd_wdata[nitro_regs_pkg::RX_DEC_DROP_LSB] = rx_fdrop;
  end
  assign rx_drop    = rxd_wr && rx_fdrop;
  assign rx_reason  = ct_out_drop ? ct_out_reason : rx_pay[nitro_regs_pkg::RX_PAY_REASON_LSB +: nitro_regs_pkg::RX_PAY_REASON_WIDTH];
  assign rx_slot    = ct_out_drop ? rx_dec[nitro_regs_pkg::RX_DEC_SLOT_LSB +: nitro_regs_pkg::RX_DEC_SLOT_WIDTH] : rx_pay[nitro_regs_pkg::RX_PAY_ALARM_SLOT_LSB +: nitro_regs_pkg::RX_PAY_ALARM_SLOT_WIDTH];
  assign rx_vni     = rx_pay[nitro_regs_pkg::RX_PAY_VNI_LSB +: nitro_regs_pkg::RX_PAY_VNI_WIDTH];
  assign rx_osrc    = rx_pay[nitro_regs_pkg::RX_PAY_OSRC_LSB +: nitro_regs_pkg::RX_PAY_OSRC_WIDTH];
  assign rx_isrc    = rx_pay[nitro_regs_pkg::RX_PAY_ISRC_LSB +: nitro_regs_pkg::RX_PAY_ISRC_WIDTH];
  assign rx_idst    = rx_pay[nitro_regs_pkg::RX_PAY_IDST_LSB +: nitro_regs_pkg::RX_PAY_IDST_WIDTH];
  assign rx_st_rx   = rxd_wr && !rx_fdrop;
  assign rx_rx_slot = rx_dec[nitro_regs_pkg::RX_DEC_SLOT_LSB +: nitro_regs_pkg::RX_DEC_SLOT_WIDTH];
  assign rx_rx_len  = rx_dec[nitro_regs_pkg::RX_DEC_INNER_LEN_LSB +: nitro_regs_pkg::RX_DEC_INNER_LEN_WIDTH];

  nitro_fifo #(.WIDTH(RXD_W), .DEPTH_LOG2(DEC_LOG2)) u_rx_dec (
    .clk      (clk),
    .rst      (rst),
    .wr_data  (rxd_wdata),
    .wr_en    (rxd_wr),
    .full     (rxd_full),
    .space    (rxd_space),
    .rd_data  (rxd_rdata),
    .rd_valid (rxd_valid),
    .rd_ready (rxd_ready),
    .empty    (rxd_empty)
  );

  logic [511:0] rxo_data;
  logic [63:0]  rxo_keep;
  logic         rxo_valid, rxo_ready, rxo_last;
  logic [7:0]   rxo_user;
  logic         rx_ed_busy;

  nitro_rx_editor #(.DATA_WIDTH(DATA_WIDTH)) u_rx_editor (
    .clk                (clk),
    .rst                (rst),
    .s_axis_tdata       (rxb_data),
    .s_axis_tlast       (rxb_last),
    .s_axis_tvalid      (rxb_valid),
    .s_axis_tready      (rxb_ready),
    .dec_data           (rxd_rdata),
    .dec_valid          (rxd_valid),
    .dec_ready          (rxd_ready),
    .m_axis_host_tdata  (rxo_data),
    .m_axis_host_tkeep  (rxo_keep),
    .m_axis_host_tvalid (rxo_valid),
    .m_axis_host_tready (rxo_ready),
    .m_axis_host_tlast  (rxo_last),
    .m_axis_host_tuser  (rxo_user),
    .busy               (rx_ed_busy)
  );

  // ---------------------------------------------------------------- host output arbiter
  logic arb_busy, inj_busy;
  logic [511:0] ao_data;
  logic [63:0]  ao_keep;
  logic         ao_valid, ao_ready, ao_last;
  logic [7:0]   ao_user;

  nitro_arbiter #(.DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(8)) u_arb (
    .clk              (clk),
    .rst              (rst),
    .s_axis_tx_tdata  (txo_h_data),
    .s_axis_tx_tkeep  (txo_h_keep),
    .s_axis_tx_tvalid (txo_h_valid),
    .s_axis_tx_tready (txo_h_ready),
    .s_axis_tx_tlast  (txo_h_last),
    .s_axis_tx_tuser  (txo_h_user),
    .s_axis_rx_tdata  (rxo_data),
    .s_axis_rx_tkeep  (rxo_keep),
    .s_axis_rx_tvalid (rxo_valid),
    .s_axis_rx_tready (rxo_ready),
    .s_axis_rx_tlast  (rxo_last),
    .s_axis_rx_tuser  (rxo_user),
    .m_axis_tdata     (ao_data),
    .m_axis_tkeep     (ao_keep),
    .m_axis_tvalid    (ao_valid),
    .m_axis_tready    (ao_ready),
    .m_axis_tlast     (ao_last),
    .m_axis_tuser     (ao_user),
    .busy             (arb_busy)
  );

  // The firmware's answers join the host output between the fast path's frames.
  nitro_inject #(.DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .DEPTH_LOG2(PUNT_LOG2)) u_inject (
    .clk                  (clk),
    .rst                  (rst),
    .csr_valid            (csr_valid),
    .csr_write            (csr_write),
    .csr_addr             (csr_addr),
    .csr_rd               (rd_inj),
    .s_axis_inject_tdata  (s_axis_inject_tdata),
    .s_axis_inject_tkeep  (s_axis_inject_tkeep),
    .s_axis_inject_tvalid (s_axis_inject_tvalid),
    .s_axis_inject_tready (s_axis_inject_tready),
    .s_axis_inject_tlast  (s_axis_inject_tlast),
    .s_axis_inject_tuser  (s_axis_inject_tuser),
    .s_axis_fast_tdata    (ao_data),
    .s_axis_fast_tkeep    (ao_keep),
    .s_axis_fast_tvalid   (ao_valid),
    .s_axis_fast_tready   (ao_ready),
    .s_axis_fast_tlast    (ao_last),
    .s_axis_fast_tuser    (ao_user),
    .m_axis_tdata         (m_axis_host_tdata),
    .m_axis_tkeep         (m_axis_host_tkeep),
    .m_axis_tvalid        (m_axis_host_tvalid),
    .m_axis_tready        (m_axis_host_tready),
    .m_axis_tlast         (m_axis_host_tlast),
    .m_axis_tuser         (m_axis_host_tuser),
    .busy                 (inj_busy)
  );

  // ---------------------------------------------------------------- counters and alarms
  nitro_counters #(.NUM_ENI(NUM_ENI)) u_counters (
    .clk       (clk),
    .rst       (rst),
    .csr_valid (csr_valid),
    .csr_write (csr_write),
    .csr_addr  (csr_addr),
    .csr_wdata (csr_wdata),
    .csr_rd    (rd_cnt),
    .a_drop    (tx_drop),
    .a_reason  (tx_reason),
    .b_drop    (rx_drop),
    .b_reason  (rx_reason),
    .c_drop    (punt_drop),
    .c_reason  (punt_reason),
    .tx_v      (tx_st_tx),
    .tx_slot   (tx_slot),
    .tx_len    (tx_len),
    .ra_v      (tx_st_rx),
    .ra_slot   (tx_rx_slot),
    .ra_len    (tx_rx_len),
    .rb_v      (rx_st_rx),
    .rb_slot   (rx_rx_slot),
    .rb_len    (rx_rx_len),
    .sg_v      (sg_v),
    .sg_slot   (sg_slot),
    .sg_ingress (sg_ingress),
    .sg_allowed (sg_allowed),
    .sg_exceeded (sg_exceeded)
  );

  logic [199:0] tx_alarm, rx_alarm;
  assign tx_alarm = {cycle, 4'h0, tx_reason, tx_slot, tx_vni, 32'h0, tx_isrc, tx_idst};
  assign rx_alarm = {cycle, 4'h0, rx_reason, rx_slot, rx_vni, rx_osrc, rx_isrc, rx_idst};

  nitro_alarm_fifo #(.WIDTH(200), .DEPTH(ALARM_DEPTH)) u_alarms (
    .clk      (clk),
    .rst      (rst),
    .a_push   (tx_drop && alarm_mask[{1'b0, tx_reason}]),
    .a_data   (tx_alarm),
    .b_push   (rx_drop && alarm_mask[{1'b0, rx_reason}]),
    .b_data   (rx_alarm),
    .pop      (alarm_pop),
    .head     (alarm_head),
    .count    (alarm_count),
    .overflow (alarm_overflow)
  );

  // ---------------------------------------------------------------- status
  assign quiet = !tx_lk_busy && !rx_lk_busy && txp_empty && rxp_empty && !ct_busy;
  assign idle  = !tx_in_busy && !rx_in_busy && !tx_lk_busy && !rx_lk_busy && txp_empty && rxp_empty
              && !ct_rec_busy && txd_empty && rxd_empty && !tx_ed_busy && !rx_ed_busy && !arb_busy
              && !punt_busy && !inj_busy;

  logic unused_top;
  assign unused_top = ^{txd_full, rxd_full, rxh_user, txp_full, rxp_full, rx_pay[PAY_W-1:nitro_regs_pkg::RX_PAY_WIDTH]};

endmodule
