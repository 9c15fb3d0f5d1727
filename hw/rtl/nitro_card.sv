// nitro_card: the Nitro Card for VPC data plane (docs/card-semantics.md).
//
//   host in -> nitro_ingress (beat FIFO + header FIFO) -> nitro_tx_lookup -> decision FIFO
//           -> nitro_tx_editor -> host out (via nitro_arbiter) / net out
//   net in  -> nitro_ingress -> nitro_rx_lookup -> decision FIFO -> nitro_rx_editor
//           -> host out (via nitro_arbiter)
//   nitro_tables (ENI, mapping, edge, atomic batches), nitro_counters, nitro_alarm_fifo and
//   nitro_csr hang off the CSR bus.
module nitro_card #(
  parameter int DATA_WIDTH         = 512,  // bits per beat (only 512 is supported)
  parameter int KEEP_WIDTH         = DATA_WIDTH / 8,
  parameter int NUM_ENI            = 64,   // ENI slots (<= 256)
  parameter int MAP_WAY_DEPTH_LOG2 = 15,   // entries per way: 2 ways -> 65,536 entries; up to 19 (1M)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2, // entries per bucket (log2): 4-slot buckets
  parameter int IP_MTU             = 9001,
  parameter int NUM_EDGE           = 8,
  parameter int ALARM_DEPTH        = 64,
  parameter int BATCH_DEPTH        = 64
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
  // CSR bus: always ready; a write takes effect at the clock edge; a read's csr_rdata/csr_rvalid
  // are registered (valid in the cycle after the request). Read side effects at that edge.
  input  logic                  csr_valid,
  input  logic                  csr_write,
  input  logic [15:0]           csr_addr,    // byte address
  input  logic [31:0]           csr_wdata,
  output logic [31:0]           csr_rdata,
  output logic                  csr_rvalid,
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

  localparam int MAP_W       = 146;
  localparam int MAX_TX      = 14 + IP_MTU;
  localparam int MAX_RX      = 14 + IP_MTU + 50;
  localparam int BEATS_LOG2  = $clog2(2 * ((MAX_RX + 63) / 64 + 1));
  localparam int HDR_LOG2    = 5;     // header FIFO: 32 records per direction
  localparam int DEC_LOG2    = 4;     // decision FIFO: 16 decisions per direction
  localparam int ACNT_W      = $clog2(ALARM_DEPTH) + 1;
  localparam int L           = MAP_WAY_DEPTH_LOG2;
  localparam int MS          = MAP_BUCKET_SLOTS_LOG2;
  localparam int MB          = MAP_WAY_DEPTH_LOG2 - MAP_BUCKET_SLOTS_LOG2;  // bucket address bits

  // ---------------------------------------------------------------- CSR blocks
  logic [31:0] rd_csr, rd_tbl, rd_cnt;
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
      csr_rdata  <= (csr_valid && !csr_write) ? (rd_csr | rd_tbl | rd_cnt) : 32'h0;
    end
  end

  nitro_csr #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .NUM_EDGE           (NUM_EDGE),
    .BATCH_DEPTH        (BATCH_DEPTH),
    .ALARM_CNT_W        (ACNT_W)
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

  nitro_tables #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .NUM_EDGE           (NUM_EDGE),
    .BATCH_DEPTH        (BATCH_DEPTH),
    .MAP_W              (MAP_W)
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
    .rx_eni_slot   (rx_eni_slot),
    .rx_eni_valid  (rx_eni_valid),
    .rx_eni_vni    (rx_eni_vni),
    .rx_eni_ip     (rx_eni_ip),
    .rx_eni_mac    (rx_eni_mac),
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
    .edge_hit      (edge_hit)
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
    .clk           (clk),
    .rst           (rst),
    .s_axis_tdata  (s_axis_host_tdata),
    .s_axis_tkeep  (s_axis_host_tkeep),
    .s_axis_tvalid (s_axis_host_tvalid),
    .s_axis_tready (s_axis_host_tready),
    .s_axis_tlast  (s_axis_host_tlast),
    .s_axis_tuser  (s_axis_host_tuser),
    .beat_data     (txb_data),
    .beat_last     (txb_last),
    .beat_valid    (txb_valid),
    .beat_ready    (txb_ready),
    .hdr_data      (txh_data),
    .hdr_len       (txh_len),
    .hdr_user      (txh_user),
    .hdr_valid     (txh_valid),
    .hdr_ready     (txh_ready),
    .busy          (tx_in_busy)
  );

  logic [537:0]       txd_wdata, txd_rdata;
  logic               txd_wr, txd_valid, txd_ready, txd_full, txd_empty, tx_lk_busy;
  logic [DEC_LOG2:0]  txd_space;
  logic               tx_drop, tx_st_tx, tx_st_rx;
  logic [3:0]         tx_reason;
  logic [7:0]         tx_slot, tx_rx_slot;
  logic [23:0]        tx_vni;
  logic [31:0]        tx_isrc, tx_idst;
  logic [15:0]        tx_len, tx_rx_len;

  nitro_tx_lookup #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .DEC_SPACE_W        (DEC_LOG2 + 1),
    .MAP_W              (MAP_W)
  ) u_tx_lookup (
    .clk          (clk),
    .rst          (rst),
    .hdr_data     (txh_data),
    .hdr_len      (txh_len),
    .hdr_user     (txh_user),
    .hdr_valid    (txh_valid),
    .hdr_ready    (txh_ready),
    .freeze       (freeze),
    .dec_space    (txd_space),
    .busy         (tx_lk_busy),
    .underlay_ip  (underlay_ip),
    .underlay_mac (underlay_mac),
    .nexthop_mac  (nexthop_mac),
    .gateway_mac  (gateway_mac),
    .eni_slot     (tx_eni_slot),
    .eni_valid    (tx_eni_valid),
    .eni_sdc      (tx_eni_sdc),
    .eni_sublen   (tx_eni_sublen),
    .eni_vni      (tx_eni_vni),
    .eni_ip       (tx_eni_ip),
    .eni_mac      (tx_eni_mac),
    .eni_subnet   (tx_eni_subnet),
    .map_addr0    (tx_map_addr0),
    .map_addr1    (tx_map_addr1),
    .map_data0    (tx_map_data0),
    .map_data1    (tx_map_data1),
    .dec_data     (txd_wdata),
    .dec_wr       (txd_wr),
    .st_drop      (tx_drop),
    .st_reason    (tx_reason),
    .st_slot      (tx_slot),
    .st_vni       (tx_vni),
    .st_isrc      (tx_isrc),
    .st_idst      (tx_idst),
    .st_tx        (tx_st_tx),
    .st_len       (tx_len),
    .st_rx        (tx_st_rx),
    .st_rx_slot   (tx_rx_slot),
    .st_rx_len    (tx_rx_len)
  );

  nitro_fifo #(.WIDTH(538), .DEPTH_LOG2(DEC_LOG2)) u_tx_dec (
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
    .clk         (clk),
    .rst         (rst),
    .in_data     (txb_data),
    .in_last     (txb_last),
    .in_valid    (txb_valid),
    .in_ready    (txb_ready),
    .dec_data    (txd_rdata),
    .dec_valid   (txd_valid),
    .dec_ready   (txd_ready),
    .host_tdata  (txo_h_data),
    .host_tkeep  (txo_h_keep),
    .host_tvalid (txo_h_valid),
    .host_tready (txo_h_ready),
    .host_tlast  (txo_h_last),
    .host_tuser  (txo_h_user),
    .net_tdata   (m_axis_net_tdata),
    .net_tkeep   (m_axis_net_tkeep),
    .net_tvalid  (m_axis_net_tvalid),
    .net_tready  (m_axis_net_tready),
    .net_tlast   (m_axis_net_tlast),
    .busy        (tx_ed_busy)
  );

  // ---------------------------------------------------------------- RX direction
  logic [511:0] rxb_data;
  logic         rxb_last, rxb_valid, rxb_ready;
  logic [671:0] rxh_data;
  logic [15:0]  rxh_len;
  logic [7:0]   rxh_user;
  logic         rxh_valid, rxh_ready, rx_in_busy;

  nitro_ingress #(
    .DATA_WIDTH      (DATA_WIDTH),
    .KEEP_WIDTH      (KEEP_WIDTH),
    .HDR_BYTES       (84),
    .MAX_LEN         (MAX_RX),
    .BEAT_DEPTH_LOG2 (BEATS_LOG2),
    .HDR_DEPTH_LOG2  (HDR_LOG2),
    .USER_WIDTH      (8)
  ) u_rx_in (
    .clk           (clk),
    .rst           (rst),
    .s_axis_tdata  (s_axis_net_tdata),
    .s_axis_tkeep  (s_axis_net_tkeep),
    .s_axis_tvalid (s_axis_net_tvalid),
    .s_axis_tready (s_axis_net_tready),
    .s_axis_tlast  (s_axis_net_tlast),
    .s_axis_tuser  (8'h00),
    .beat_data     (rxb_data),
    .beat_last     (rxb_last),
    .beat_valid    (rxb_valid),
    .beat_ready    (rxb_ready),
    .hdr_data      (rxh_data),
    .hdr_len       (rxh_len),
    .hdr_user      (rxh_user),
    .hdr_valid     (rxh_valid),
    .hdr_ready     (rxh_ready),
    .busy          (rx_in_busy)
  );

  logic [72:0]        rxd_wdata, rxd_rdata;
  logic               rxd_wr, rxd_valid, rxd_ready, rxd_full, rxd_empty, rx_lk_busy;
  logic [DEC_LOG2:0]  rxd_space;
  logic               rx_drop, rx_st_rx;
  logic [3:0]         rx_reason;
  logic [7:0]         rx_slot, rx_rx_slot;
  logic [23:0]        rx_vni;
  logic [31:0]        rx_osrc, rx_isrc, rx_idst;
  logic [15:0]        rx_rx_len;

  nitro_rx_lookup #(
    .NUM_ENI            (NUM_ENI),
    .MAP_WAY_DEPTH_LOG2 (L),
    .MAP_BUCKET_SLOTS_LOG2 (MS),
    .IP_MTU             (IP_MTU),
    .DEC_SPACE_W        (DEC_LOG2 + 1),
    .MAP_W              (MAP_W)
  ) u_rx_lookup (
    .clk         (clk),
    .rst         (rst),
    .hdr_data    (rxh_data),
    .hdr_len     (rxh_len),
    .hdr_valid   (rxh_valid),
    .hdr_ready   (rxh_ready),
    .freeze      (freeze),
    .dec_space   (rxd_space),
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
    .edge_vni    (edge_vni),
    .edge_ip     (edge_ip),
    .edge_hit    (edge_hit),
    .dec_data    (rxd_wdata),
    .dec_wr      (rxd_wr),
    .st_drop     (rx_drop),
    .st_reason   (rx_reason),
    .st_slot     (rx_slot),
    .st_vni      (rx_vni),
    .st_osrc     (rx_osrc),
    .st_isrc     (rx_isrc),
    .st_idst     (rx_idst),
    .st_rx       (rx_st_rx),
    .st_rx_slot  (rx_rx_slot),
    .st_rx_len   (rx_rx_len)
  );

  nitro_fifo #(.WIDTH(73), .DEPTH_LOG2(DEC_LOG2)) u_rx_dec (
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
    .clk         (clk),
    .rst         (rst),
    .in_data     (rxb_data),
    .in_last     (rxb_last),
    .in_valid    (rxb_valid),
    .in_ready    (rxb_ready),
    .dec_data    (rxd_rdata),
    .dec_valid   (rxd_valid),
    .dec_ready   (rxd_ready),
    .host_tdata  (rxo_data),
    .host_tkeep  (rxo_keep),
    .host_tvalid (rxo_valid),
    .host_tready (rxo_ready),
    .host_tlast  (rxo_last),
    .host_tuser  (rxo_user),
    .busy        (rx_ed_busy)
  );

  // ---------------------------------------------------------------- host output arbiter
  logic arb_busy;

  nitro_arbiter #(.DATA_WIDTH(DATA_WIDTH), .KEEP_WIDTH(KEEP_WIDTH), .USER_WIDTH(8)) u_arb (
    .clk       (clk),
    .rst       (rst),
    .s0_tdata  (txo_h_data),
    .s0_tkeep  (txo_h_keep),
    .s0_tvalid (txo_h_valid),
    .s0_tready (txo_h_ready),
    .s0_tlast  (txo_h_last),
    .s0_tuser  (txo_h_user),
    .s1_tdata  (rxo_data),
    .s1_tkeep  (rxo_keep),
    .s1_tvalid (rxo_valid),
    .s1_tready (rxo_ready),
    .s1_tlast  (rxo_last),
    .s1_tuser  (rxo_user),
    .m_tdata   (m_axis_host_tdata),
    .m_tkeep   (m_axis_host_tkeep),
    .m_tvalid  (m_axis_host_tvalid),
    .m_tready  (m_axis_host_tready),
    .m_tlast   (m_axis_host_tlast),
    .m_tuser   (m_axis_host_tuser),
    .busy      (arb_busy)
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
    .tx_v      (tx_st_tx),
    .tx_slot   (tx_slot),
    .tx_len    (tx_len),
    .ra_v      (tx_st_rx),
    .ra_slot   (tx_rx_slot),
    .ra_len    (tx_rx_len),
    .rb_v      (rx_st_rx),
    .rb_slot   (rx_rx_slot),
    .rb_len    (rx_rx_len)
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
  assign quiet = !tx_lk_busy && !rx_lk_busy;
  assign idle  = !tx_in_busy && !rx_in_busy && !tx_lk_busy && !rx_lk_busy && txd_empty && rxd_empty
              && !tx_ed_busy && !rx_ed_busy && !arb_busy;

  logic unused_top;
  assign unused_top = ^{time_base, txd_full, rxd_full, rxh_user};

endmodule
