// A small Lucene harness for bench/lucene.py: Lucene 8's BengaliAnalyzer,
// one document per article (title + text in one field, BM25 1.2/0.75, no
// stored text), then timed top-10 searches. Debian's liblucene8-java.
//
//   java BengaliBench index ARTICLES.tsv INDEX_DIR [RUNS]
//   java BengaliBench search INDEX_DIR QUERIES.tsv ROUNDS RUN_FILE
//
// ARTICLES.tsv: id<TAB>title<TAB>text per line; QUERIES.tsv: qid<TAB>query.
// index builds the index RUNS times (default 1) in this JVM, from scratch
// each time, and prints one JSON line per run: the first runs while the JIT
// compiles, the last is the warm run.
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.bn.BengaliAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

public class BengaliBench {
    public static void main(String[] args) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Analyzer analyzer = new BengaliAnalyzer();
        if (args[0].equals("index")) {
            int runs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
            for (int number = 0; number < runs; number++) {
                long started = System.nanoTime(), cpuStarted = cpu.getCurrentThreadCpuTime();
                IndexWriterConfig config = new IndexWriterConfig(analyzer);
                config.setSimilarity(new BM25Similarity(1.2f, 0.75f));
                config.setRAMBufferSizeMB(256);
                config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
                long articles = 0, bytes = 0;
                try (IndexWriter writer = new IndexWriter(FSDirectory.open(Paths.get(args[2])), config);
                     BufferedReader in = Files.newBufferedReader(Paths.get(args[1]), StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        String[] parts = line.split("\t", 3);
                        if (parts.length < 3) continue;
                        Document doc = new Document();
                        doc.add(new StringField("id", parts[0], Field.Store.YES));
                        doc.add(new TextField("body", parts[1] + "\n" + parts[2], Field.Store.NO));
                        writer.addDocument(doc);
                        articles++;
                        bytes += parts[2].getBytes(StandardCharsets.UTF_8).length;
                    }
                    writer.forceMerge(1);
                }
                double wall = (System.nanoTime() - started) / 1e9;
                double cpuSeconds = (cpu.getCurrentThreadCpuTime() - cpuStarted) / 1e9;
                System.out.printf("{\"articles\": %d, \"text_bytes\": %d, \"wall\": %.3f, \"cpu\": %.3f}%n",
                        articles, bytes, wall, cpuSeconds);
            }
            return;
        }
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(FSDirectory.open(Paths.get(args[1]))));
        searcher.setSimilarity(new BM25Similarity(1.2f, 0.75f));
        QueryParser parser = new QueryParser("body", analyzer);
        List<String[]> queries = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(args[2]), StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", 2);
            if (parts.length == 2) queries.add(parts);
        }
        int rounds = Integer.parseInt(args[3]);
        try (PrintWriter run = new PrintWriter(args[4], "UTF-8")) {
            StringBuilder times = new StringBuilder("[");
            for (String[] query : queries) {
                Query parsed;
                try {
                    parsed = parser.parse(QueryParser.escape(query[1]));
                } catch (Exception e) {
                    continue;
                }
                TopDocs top = searcher.search(parsed, 100);  // warm, and the run file
                int rank = 1;
                for (ScoreDoc hit : top.scoreDocs) {
                    run.printf("%s Q0 %s %d %.4f lucene%n", query[0], searcher.doc(hit.doc).get("id"), rank++, hit.score);
                }
                double[] samples = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long started = System.nanoTime();
                    TopDocs found = searcher.search(parsed, 10);
                    for (ScoreDoc hit : found.scoreDocs) searcher.doc(hit.doc).get("id");
                    samples[r] = (System.nanoTime() - started) / 1e6;
                }
                Arrays.sort(samples);
                if (times.length() > 1) times.append(", ");
                times.append(String.format("%.4f", samples[rounds / 2]));
            }
            System.out.println("{\"per_query_ms\": " + times + "]}");
        }
    }
}
