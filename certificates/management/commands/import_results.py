from certificates import importers

from .import_learners import Command as ImportLearnersCommand


class Command(ImportLearnersCommand):
    help = (
        "Import the final results of a cohort's learners from an XLSX file (columns citizen_id, final_score, "
        "all_credits_completed, disciplined, retaken, decision_number, decision_date); with a graduation decision the "
        "learner is recognised as a graduate. All or nothing: a file with any bad row is rejected and every problem "
        "printed by row and column."
    )
    kind = importers.RESULTS
