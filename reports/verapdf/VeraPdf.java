// Validates one PDF with veraPDF against one flavour ("ua1" = PDF/UA-1, "3b" = PDF/A-3b) and
// prints "PASS <flavour>" or "FAIL <flavour>", then one "FAILED <rule> (<n>x): <message>" line
// per failed rule. Run through reports/verapdf/__init__.py (java's single-file source mode).
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

public class VeraPdf {
    public static void main(String[] args) throws Exception {
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[0]);
        try (InputStream in = new FileInputStream(args[1]);
             PDFAParser parser = Foundries.defaultInstance().createParser(in, flavour)) {
            PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
            ValidationResult result = validator.validate(parser);
            Map<String, Integer> failed = new TreeMap<>();
            Map<String, String> messages = new TreeMap<>();
            for (TestAssertion assertion : result.getTestAssertions()) {
                if (assertion.getStatus() != TestAssertion.Status.FAILED) continue;
                String rule = assertion.getRuleId().getSpecification().getId() + " "
                        + assertion.getRuleId().getClause() + "-" + assertion.getRuleId().getTestNumber();
                failed.merge(rule, 1, Integer::sum);
                messages.putIfAbsent(rule, assertion.getMessage());
            }
            System.out.println((result.isCompliant() ? "PASS " : "FAIL ") + flavour.getId());
            for (Map.Entry<String, Integer> entry : failed.entrySet()) {
                System.out.println("FAILED " + entry.getKey() + " (" + entry.getValue() + "x): "
                        + messages.get(entry.getKey()).replaceAll("\\s+", " "));
            }
        }
    }
}
