// tb_nitro_tables: the indirect table window. Stages ENI, mapping and edge entries, checks
// that nothing is visible before commit, that commit waits for `quiet` while holding `freeze`
// (port A stays the lookup's until then) and then applies the whole batch, read-back of each table in the staging layout, discard,
// QUEUED, and ERROR for a bad index (filtering tables included), an unknown table, an unknown op and a full batch.
`timescale 1ns/1ps
module tb_nitro_tables;

  tb_verdict #(.TIMEOUT(200000), .SHOWN(1000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  localparam int L = 4, S = 2, NE = 4, NEDGE = 2, BD = 5;   // ways of 16 entries = 4 buckets of 4 slots
  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic        csr_valid, csr_write;
  logic [15:0] csr_addr;
  logic [31:0] csr_wdata, csr_rd;
  logic        freeze, quiet;
  logic [7:0]  tx_slot, rx_slot;
  logic        tx_valid, tx_sdc, rx_valid, edge_hit;
  logic [5:0]  tx_sublen;
  logic [23:0] tx_vni, rx_vni, edge_vni;
  logic [31:0] tx_ip, tx_subnet, rx_ip, edge_ip;
  logic [47:0] tx_mac, rx_mac;
  logic [L-S-1:0] ta0, ta1, ra0, ra1;
  logic [4*146-1:0] td0, td1, rd0, rd1;

  nitro_tables #(.NUM_ENI(NE), .MAP_WAY_DEPTH_LOG2(L), .MAP_BUCKET_SLOTS_LOG2(S), .NUM_EDGE(NEDGE),
                 .BATCH_DEPTH(BD)) dut (
    .clk(clk), .rst(rst),
    .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr), .csr_wdata(csr_wdata), .csr_rd(csr_rd),
    .freeze(freeze), .quiet(quiet),
    .tx_eni_slot(tx_slot), .tx_eni_valid(tx_valid), .tx_eni_sdc(tx_sdc), .tx_eni_sublen(tx_sublen),
    .tx_eni_vni(tx_vni), .tx_eni_ip(tx_ip), .tx_eni_mac(tx_mac), .tx_eni_subnet(tx_subnet),
    .rx_eni_slot(rx_slot), .rx_eni_valid(rx_valid), .rx_eni_vni(rx_vni), .rx_eni_ip(rx_ip), .rx_eni_mac(rx_mac),
    .tx_map_addr0(ta0), .tx_map_addr1(ta1), .tx_map_data0(td0), .tx_map_data1(td1),
    .rx_map_addr0(ra0), .rx_map_addr1(ra1), .rx_map_data0(rd0), .rx_map_data1(rd1),
    .edge_vni(edge_vni), .edge_ip(edge_ip), .edge_hit(edge_hit));


  task automatic wr(input logic [15:0] a, input logic [31:0] d);
    @(negedge clk); csr_valid = 1; csr_write = 1; csr_addr = a; csr_wdata = d;
    @(negedge clk); csr_valid = 0; csr_write = 0;
  endtask
  task automatic rd(input logic [15:0] a, output logic [31:0] d);
    @(negedge clk); csr_valid = 1; csr_write = 0; csr_addr = a;
    #0.5 d = csr_rd;
    @(negedge clk); csr_valid = 0;
  endtask
  task automatic status(output bit busy, output bit err, output int queued);
    logic [31:0] s;
    rd(nitro_regs_pkg::ADDR_TBL_STATUS, s);
    busy = s[0]; err = s[1]; queued = int'(s[15:8]);
  endtask
  task automatic cmd(input int op, input int tbl);
    wr(nitro_regs_pkg::ADDR_TBL_CMD, 32'(op) | (32'(tbl) << 8));
  endtask
  task automatic stage(input int tbl, input int idx, input logic [255:0] d);
    for (int w = 0; w < 8; w++) wr(nitro_regs_pkg::ADDR_TBL_DATA + 16'(4*w), d[32*w +: 32]);
    wr(nitro_regs_pkg::ADDR_TBL_INDEX, 32'(idx));
    cmd(nitro_regs_pkg::TABLE_OP_STAGE, tbl);
  endtask
  task automatic read_back(input int tbl, input int idx, output logic [255:0] d);
    bit b, e; int q;
    wr(nitro_regs_pkg::ADDR_TBL_INDEX, 32'(idx));
    cmd(nitro_regs_pkg::TABLE_OP_READ, tbl);
    do status(b, e, q); while (b);
    verdict.check(!e, "read error");
    for (int w = 0; w < 8; w++) begin
      logic [31:0] v;
      rd(nitro_regs_pkg::ADDR_TBL_RDATA + 16'(4*w), v);
      d[32*w +: 32] = v;
    end
  endtask

  initial begin
    logic [255:0] eni, map, map2, edg, back;
    bit b, e; int q;
    csr_valid = 0; csr_write = 0; csr_addr = 0; csr_wdata = 0; quiet = 1;
    tx_slot = 2; rx_slot = 2; ta0 = 0; ta1 = 0; ra0 = 0; ra1 = 0; edge_vni = 24'd7; edge_ip = 32'hC6336401;
    repeat (3) @(posedge clk);
    rst = 0;

    eni = '0;
    eni[nitro_regs_pkg::TBL_ENI_VALID_LSB] = 1;
    eni[nitro_regs_pkg::TBL_ENI_SRC_DST_CHECK_LSB] = 1;
    eni[nitro_regs_pkg::TBL_ENI_SUBNET_LEN_LSB +: 6] = 6'd24;
    eni[nitro_regs_pkg::TBL_ENI_VNI_LSB +: 24] = 24'd7;
    eni[nitro_regs_pkg::TBL_ENI_IP_LSB +: 32] = 32'h0A000105;
    eni[nitro_regs_pkg::TBL_ENI_MAC_LO_LSB +: 32] = 32'h00000105;
    eni[nitro_regs_pkg::TBL_ENI_MAC_HI_LSB +: 16] = 16'h0200;
    eni[nitro_regs_pkg::TBL_ENI_SUBNET_LSB +: 32] = 32'h0A000100;
    map = '0;
    map[nitro_regs_pkg::TBL_MAPPING_VALID_LSB] = 1;
    map[nitro_regs_pkg::TBL_MAPPING_LOCAL_SLOT_LSB +: 8] = 8'd3;
    map[nitro_regs_pkg::TBL_MAPPING_VNI_LSB +: 24] = 24'd7;
    map[nitro_regs_pkg::TBL_MAPPING_IP_LSB +: 32] = 32'h0A000109;
    map[nitro_regs_pkg::TBL_MAPPING_UNDERLAY_IP_LSB +: 32] = 32'hC0000202;
    map[nitro_regs_pkg::TBL_MAPPING_MAC_LO_LSB +: 32] = 32'h00000109;
    map[nitro_regs_pkg::TBL_MAPPING_MAC_HI_LSB +: 16] = 16'h0200;
    map2 = map;
    map2[nitro_regs_pkg::TBL_MAPPING_IP_LSB +: 32] = 32'h0A00010A;
    map2[nitro_regs_pkg::TBL_MAPPING_LOCAL_LSB] = 1;
    edg = '0;
    edg[nitro_regs_pkg::TBL_EDGE_VALID_LSB] = 1;
    edg[nitro_regs_pkg::TBL_EDGE_VNI_LSB +: 24] = 24'd7;
    edg[nitro_regs_pkg::TBL_EDGE_UNDERLAY_IP_LSB +: 32] = 32'hC6336401;

    stage(nitro_regs_pkg::TABLE_ID_ENI, 2, eni);
    stage(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 5, map);      // way 1, bucket 1, slot 1
    stage(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 6, map2);     // way 1, bucket 1, slot 2
    stage(nitro_regs_pkg::TABLE_ID_EDGE, 1, edg);
    status(b, e, q);
    verdict.check(!b && !e && q == 4, $sformatf("after 4 stages: busy %0d error %0d queued %0d", b, e, q));
    verdict.check(!tx_valid && !edge_hit, "staged entries visible before commit");

    // Commit with the pipelines busy: freeze must hold and nothing may be written
    quiet = 0;
    cmd(nitro_regs_pkg::TABLE_OP_COMMIT, 0);
    repeat (20) @(negedge clk);
    verdict.check(freeze, "freeze not raised by commit");
    verdict.check(!tx_valid && !edge_hit, "commit applied before quiet");
    status(b, e, q);
    verdict.check(b && q == 4, "BUSY/QUEUED during the wait");
    quiet = 1;
    do status(b, e, q); while (b);
    verdict.check(!e && q == 0, $sformatf("after commit: error %0d queued %0d", e, q));
    verdict.check(!freeze, "freeze still up");
    verdict.check(tx_valid && tx_sdc && tx_sublen == 24 && tx_vni == 7 && tx_ip == 32'h0A000105
          && tx_mac == 48'h020000000105 && tx_subnet == 32'h0A000100, "ENI entry wrong");
    verdict.check(rx_valid && rx_vni == 7 && rx_ip == 32'h0A000105 && rx_mac == 48'h020000000105, "RX ENI read wrong");
    verdict.check(edge_hit, "edge entry not applied");
    // Mapping lookups through both ports: a whole bucket, each slot written on its own
    @(negedge clk); ta1 = 2'd1; ra1 = 2'd1; ta0 = 2'd1;
    @(negedge clk);
    verdict.check(td1[146 +: 146] == {48'h020000000109, 32'hC0000202, 32'h0A000109, 24'd7, 8'd3, 1'b0, 1'b1}, "mapping port A data, slot 1");
    verdict.check(td1[292 +: 146] == {48'h020000000109, 32'hC0000202, 32'h0A00010A, 24'd7, 8'd3, 1'b1, 1'b1}, "mapping port A data, slot 2");
    verdict.check(td1[0] == 1'b0 && td1[438] == 1'b0, "mapping slots 0 and 3 written");
    verdict.check(rd1 == td1, "mapping port B data");
    verdict.check(td0[0] == 1'b0 && td0[146] == 1'b0, "way 0 written");
    // A header admitted before a commit still reads its bucket on port A while the engine waits for quiet
    stage(nitro_regs_pkg::TABLE_ID_ENI, 2, eni);             // the same entry again: a commit that changes nothing
    quiet = 0;
    cmd(nitro_regs_pkg::TABLE_OP_COMMIT, 0);
    @(negedge clk); ta1 = 2'd1; ta0 = 2'd2;
    @(negedge clk);
    verdict.check(freeze && td1[146 +: 146] == {48'h020000000109, 32'hC0000202, 32'h0A000109, 24'd7, 8'd3, 1'b0, 1'b1},
                  "port A taken from the lookup before the pipelines were quiet");
    quiet = 1;
    do status(b, e, q); while (b);
    verdict.check(!e && q == 0, "second commit");

    // Read-back in the staging layout
    read_back(nitro_regs_pkg::TABLE_ID_ENI, 2, back);
    verdict.check(back == eni, $sformatf("ENI read-back %h", back));
    read_back(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 5, back);
    verdict.check(back == map, $sformatf("mapping read-back %h", back));
    read_back(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 6, back);
    verdict.check(back == map2, $sformatf("mapping read-back slot 2 %h", back));
    // Rewrite one slot: its neighbours keep their entries
    stage(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 5, '0);
    cmd(nitro_regs_pkg::TABLE_OP_COMMIT, 0);
    do status(b, e, q); while (b);
    read_back(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 5, back);
    verdict.check(back == '0, "mapping slot 1 not cleared");
    read_back(nitro_regs_pkg::TABLE_ID_MAPPING, 16 + 6, back);
    verdict.check(back == map2, "mapping slot 2 lost when slot 1 was written");
    read_back(nitro_regs_pkg::TABLE_ID_EDGE, 1, back);
    verdict.check(back == edg, $sformatf("edge read-back %h", back));

    // Errors
    stage(nitro_regs_pkg::TABLE_ID_ENI, NE, eni);
    status(b, e, q); verdict.check(e && q == 0, "bad ENI index not flagged");
    stage(nitro_regs_pkg::TABLE_ID_MAPPING, 32, map);
    status(b, e, q); verdict.check(e && q == 0, "bad mapping index not flagged");
    stage(8, 0, map);
    status(b, e, q); verdict.check(e && q == 0, "unknown table not flagged");
    stage(nitro_regs_pkg::TABLE_ID_ROUTE, 4095, map);        // a bank's last position does not exist
    status(b, e, q); verdict.check(e && q == 0, "route position 2**ROUTE_LEVELS - 1 not flagged");
    stage(nitro_regs_pkg::TABLE_ID_ROUTE_BANK, 1, map);
    status(b, e, q); verdict.check(e && q == 0, "routeBank index 1 not flagged");
    stage(nitro_regs_pkg::TABLE_ID_ENI_CONNTRACK, NE, map);
    status(b, e, q); verdict.check(e && q == 0, "bad eniConntrack index not flagged");
    cmd(9, 0);
    status(b, e, q); verdict.check(e, "unknown op not flagged");
    for (int i = 0; i < BD; i++) stage(nitro_regs_pkg::TABLE_ID_EDGE, 0, edg);
    status(b, e, q); verdict.check(!e && q == BD, "batch of BATCH_DEPTH");
    stage(nitro_regs_pkg::TABLE_ID_EDGE, 0, edg);
    status(b, e, q); verdict.check(e && q == BD, "full batch not flagged");
    // Discard: nothing applied
    cmd(nitro_regs_pkg::TABLE_OP_DISCARD, 0);
    status(b, e, q); verdict.check(!e && q == 0, "discard");
    cmd(nitro_regs_pkg::TABLE_OP_COMMIT, 0);
    do status(b, e, q); while (b);
    read_back(nitro_regs_pkg::TABLE_ID_EDGE, 0, back);
    verdict.check(back == '0, "discarded entry was applied");
    // Invalidate the ENI: a batch of one
    stage(nitro_regs_pkg::TABLE_ID_ENI, 2, '0);
    cmd(nitro_regs_pkg::TABLE_OP_COMMIT, 0);
    do status(b, e, q); while (b);
    verdict.check(!tx_valid, "ENI not invalidated");

    verdict.finish(0);
  end

endmodule
